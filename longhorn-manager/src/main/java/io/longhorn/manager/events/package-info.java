/**
 * Events about resources (Kubernetes-style: Normal or Warning, a reason, a message, the object),
 * recorded by controllers and served at {@code /v1/events}.
 */
package io.longhorn.manager.events;
