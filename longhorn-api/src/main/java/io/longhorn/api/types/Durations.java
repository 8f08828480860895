package io.longhorn.api.types;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them: {@code 8s}, {@code 500ms}, {@code 2m}, or a number of seconds. */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private Durations() {
    }

    /** Like {@link #parse}, but {@code 0} (with or without a unit) is {@link Duration#ZERO}: "off". */
    public static Duration parseZeroOrPositive(String text) {
        if (text != null && text.trim().matches("0+(ms|s|m|h)?")) {
            return Duration.ZERO;
        }
        return parse(text);
    }

    /** @throws IllegalArgumentException naming the value when it is not a positive duration */
    public static Duration parse(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\": use e.g. 8s, 500ms or 2m");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\": must be positive");
        }
        return d;
    }
}
