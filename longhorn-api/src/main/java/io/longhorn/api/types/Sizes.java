package io.longhorn.api.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as users write them, in the forms Longhorn's tools accept: plain bytes
 * ({@code 1073741824}), or a number with a unit letter {@code k m g t p} (either case), optionally
 * followed by {@code i} and/or {@code b} ({@code 10g}, {@code 10G}, {@code 10Gi}, {@code 10GiB},
 * {@code 512m}, {@code 4KB}). Every unit is binary (a power of 1024), as upstream's size parser:
 * {@code 1G} and {@code 1Gi} are both 1073741824. A fraction is allowed ({@code 1.5g}) and the
 * result is rounded down to whole bytes.
 */
public final class Sizes {
    public static final long KiB = 1024L;
    public static final long MiB = 1024L * KiB;
    public static final long GiB = 1024L * MiB;
    public static final long TiB = 1024L * GiB;
    public static final long PiB = 1024L * TiB;

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?) ?(?:([kKmMgGtTpP])[iI]?)?[bB]?");

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
            throw new IllegalArgumentException("invalid size \"" + text
                    + "\": expected a number of bytes with an optional unit such as 10Gi, 10G, 10GiB or 512m");
        }
        long mult = m.group(2) == null ? 1 : switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> KiB;
            case "m" -> MiB;
            case "g" -> GiB;
            case "t" -> TiB;
            default -> PiB;
        };
        BigInteger bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(mult)).toBigInteger();
        if (bytes.bitLength() > 63) {
            throw new IllegalArgumentException("invalid size \"" + text + "\": too large");
        }
        return bytes.longValue();
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
