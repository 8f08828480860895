package io.longhorn.manager.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Helpers for condition lists: set a condition, keeping its transition time when unchanged. */
public final class Conditions {
    private Conditions() {
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> c.type.equals(type)).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(Condition::isTrue).orElse(false);
    }

    /**
     * Sets {@code type} to the given status, reason and message. The transition time changes only
     * when the status does, so that an unchanged condition does not make the status differ (and a
     * reconcile that found nothing new writes nothing).
     */
    public static void set(List<Condition> conditions, String type, String status, String reason, String message) {
        Condition existing = find(conditions, type).orElse(null);
        if (existing == null) {
            Condition c = new Condition(type, status, reason, message);
            c.lastTransitionTime = Instant.now().toString();
            conditions.add(c);
            return;
        }
        if (!Objects.equals(existing.status, status)) {
            existing.lastTransitionTime = Instant.now().toString();
        }
        existing.status = status;
        existing.reason = reason;
        existing.message = message;
    }
}
