package io.longhorn.backupstore.format;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** RFC 3339 times in UTC with second precision, as upstream writes them in cfg files. */
public final class Times {
    private Times() {
    }

    public static String format(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public static String now() {
        return format(Instant.now());
    }
}
