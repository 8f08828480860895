package io.longhorn.api.types;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as users write them: {@code 1073741824}, {@code 10Gi}, {@code 512Mi}, {@code 1G},
 * {@code 4k}. Binary suffixes (Ki, Mi, Gi, Ti, Pi) are powers of 1024, decimal ones (k, M, G, T, P)
 * powers of 1000, as in Kubernetes quantities.
 */
public final class Sizes {
    public static final long KiB = 1024L;
    public static final long MiB = 1024L * KiB;
    public static final long GiB = 1024L * MiB;
    public static final long TiB = 1024L * GiB;

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kKMGTP]i?|[kKMGTP]i?B|B)?");

    private Sizes() {
    }

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException naming the value when it is not a size, or overflows
     */
    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("size is empty");
        }
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size \"" + text + "\": expected a number of bytes with an optional unit such as 10Gi");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid size \"" + text + "\": number too large");
        }
        String unit = m.group(2) == null ? "" : m.group(2).replace("B", "");
        long mult = switch (unit) {
            case "" -> 1;
            case "k", "K" -> 1000L;
            case "M" -> 1000L * 1000;
            case "G" -> 1000L * 1000 * 1000;
            case "T" -> 1000L * 1000 * 1000 * 1000;
            case "P" -> 1000L * 1000 * 1000 * 1000 * 1000;
            case "Ki", "ki" -> KiB;
            case "Mi" -> MiB;
            case "Gi" -> GiB;
            case "Ti" -> TiB;
            case "Pi" -> 1024L * TiB;
            default -> throw new IllegalArgumentException("invalid size \"" + text + "\": unknown unit " + unit);
        };
        try {
            return Math.multiplyExact(n, mult);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("invalid size \"" + text + "\": too large");
        }
    }

    /** A short human form: 10Gi, 1.5Mi, 4096. */
    public static String format(long bytes) {
        String[] units = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
        double v = bytes;
        int i = 0;
        while (Math.abs(v) >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        if (i == 0) {
            return Long.toString(bytes);
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%d%s", (long) v, units[i])
                : String.format(Locale.ROOT, "%.1f%s", v, units[i]);
    }
}
