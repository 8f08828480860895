package io.longhorn.manager.service;

import io.longhorn.api.types.Names;
import io.longhorn.api.types.Sizes;

/** Field checks that throw {@link InvalidInputException} naming the field. */
public final class Validation {
    /** Volumes are a whole number of these: the backup block size, so backups and restores align. */
    public static final long SIZE_ALIGNMENT = 2L * 1024 * 1024;

    private Validation() {
    }

    public static String volumeName(String field, String name) {
        try {
            return Names.requireVolumeName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, field + ": " + e.getMessage());
        }
    }

    public static String snapshotName(String field, String name) {
        try {
            return Names.requireSnapshotName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, field + ": " + e.getMessage());
        }
    }

    /** A size in bytes or with a unit ({@code 10Gi}), positive, rounded up to {@link #SIZE_ALIGNMENT}. */
    public static long size(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(field, field + " is required");
        }
        long n;
        try {
            n = Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, field + ": " + e.getMessage());
        }
        if (n <= 0) {
            throw new InvalidInputException(field, field + " must be positive, got " + text);
        }
        if (n > Long.MAX_VALUE - SIZE_ALIGNMENT) {
            throw new InvalidInputException(field, field + " " + text + " is too large");
        }
        return (n + SIZE_ALIGNMENT - 1) / SIZE_ALIGNMENT * SIZE_ALIGNMENT;
    }

    public static int replicaCount(String field, int n) {
        if (n < 1 || n > 20) {
            throw new InvalidInputException(field, field + " must be between 1 and 20, got " + n);
        }
        return n;
    }

    private static final java.util.regex.Pattern TAG = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /**
     * Node or disk tags (and the selectors that name them): each 1-63 letters, digits, '.', '_' or
     * '-', starting with a letter or digit; duplicates dropped, sorted. Null stays null (not given).
     */
    public static java.util.List<String> tags(String field, java.util.List<String> tags) {
        if (tags == null) {
            return null;
        }
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        for (String t : tags) {
            if (t == null || !TAG.matcher(t).matches()) {
                throw new InvalidInputException(field, "invalid tag \"" + t + "\" in " + field
                        + ": 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            out.add(t);
        }
        return java.util.List.copyOf(out);
    }

    public static String oneOf(String field, String value, java.util.List<String> allowed) {
        if (!allowed.contains(value)) {
            throw new InvalidInputException(field, "invalid " + field + " \"" + value + "\": expected one of "
                    + String.join(", ", allowed));
        }
        return value;
    }
}
