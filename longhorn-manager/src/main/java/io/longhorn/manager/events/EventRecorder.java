package io.longhorn.manager.events;

import java.util.List;

/** Records events about resources; in Kubernetes these become core/v1 Events. */
public interface EventRecorder {
    String NORMAL = "Normal";
    String WARNING = "Warning";

    void record(String eventType, String kind, String name, String reason, String message);

    default void normal(String kind, String name, String reason, String message) {
        record(NORMAL, kind, name, reason, message);
    }

    default void warning(String kind, String name, String reason, String message) {
        record(WARNING, kind, name, reason, message);
    }

    /** The recorded events, oldest first. */
    List<ManagerEvent> list();
}
