/**
 * The command line: the flags of {@code longhorn-engine controller} ({@link
 * io.longhorn.engine.cli.ControllerArgs}) and the client commands ({@link
 * io.longhorn.engine.cli.EngineCli}) that talk to a running engine over plain gRPC, without
 * starting Quarkus.
 */
package io.longhorn.engine.cli;
