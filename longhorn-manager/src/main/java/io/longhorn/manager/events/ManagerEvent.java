package io.longhorn.manager.events;

/**
 * One event. Repeats of the same (type, object, reason, message) are folded into one with a count,
 * as Kubernetes does.
 */
public record ManagerEvent(String id, String eventType, String kind, String name, String reason, String message,
                           String firstTimestamp, String lastTimestamp, int count) {
}
