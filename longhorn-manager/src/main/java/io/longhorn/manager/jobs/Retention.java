package io.longhorn.manager.jobs;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/** Which results of a job to delete so that only the newest {@code retain} stay. Pure. */
public final class Retention {
    private Retention() {
    }

    /** The oldest items beyond {@code retain}, by the given RFC 3339 creation time. */
    public static <T> List<T> toDelete(List<T> items, int retain, Function<T, String> created) {
        if (items.size() <= retain) {
            return List.of();
        }
        List<T> sorted = items.stream().sorted(Comparator.comparing(created.andThen(Retention::instant))).toList();
        return sorted.subList(0, sorted.size() - Math.max(retain, 0));
    }

    /** Fractions of seconds make RFC 3339 strings sort wrongly as text; compare instants. */
    private static Instant instant(String rfc3339) {
        try {
            return OffsetDateTime.parse(rfc3339).toInstant();
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }
}
