package io.longhorn.manager.controller.backup;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Go-style durations as Longhorn writes them: {@code 5m0s}, {@code 300s}, {@code 1h}, {@code 0}. */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+)(h|ms|m|s)");

    private GoDuration() {
    }

    public static Optional<Duration> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String t = text.trim();
        if (t.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher m = PART.matcher(t);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return Optional.empty();
            }
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "ms" -> Duration.ofMillis(n);
                default -> Duration.ofSeconds(n);
            });
            end = m.end();
        }
        return end == t.length() && end > 0 ? Optional.of(d) : Optional.empty();
    }
}
