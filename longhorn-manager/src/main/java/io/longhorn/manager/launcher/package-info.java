/**
 * The instance launcher port: start and stop an engine or replica instance on a node and report its
 * state and addresses. Standalone, instances are local processes started through the {@code bin/}
 * launchers ({@code launcher.process}); in Kubernetes they are pods.
 */
package io.longhorn.manager.launcher;
