package io.longhorn.manager.launcher.process;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the line a service prints once it serves, e.g.
 * {@code replica ready: control=127.0.0.1:9502 data=tcp://127.0.0.1:9503 dir=... size=...},
 * {@code engine ready: control=127.0.0.1:9501 nbd=nbd://127.0.0.1:10809/vol1},
 * {@code backup service ready: grpc=127.0.0.1:9503}: a prefix, then {@code key=value} fields.
 */
public final class ReadyLine {
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

    private ReadyLine() {
    }

    /** The fields of the line when it starts with {@code prefix} (e.g. {@code "replica ready:"}). */
    public static Optional<Map<String, String>> parse(String prefix, String line) {
        int at = line.indexOf(prefix);
        if (at < 0) {
            return Optional.empty();
        }
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        Matcher m = FIELD.matcher(line.substring(at + prefix.length()));
        while (m.find()) {
            fields.put(m.group(1), m.group(2));
        }
        return Optional.of(fields);
    }
}
