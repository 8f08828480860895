package io.longhorn.api.types;

import java.util.regex.Pattern;

/** Validation of the names users give to volumes, snapshots and backups. */
public final class Names {
    /** Letters, digits, '-', '_' and '.', starting with a letter or digit; at most 63 characters. */
    private static final Pattern SNAPSHOT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    /** Kubernetes-style: lower case letters, digits and '-', at most 63. */
    private static final Pattern VOLUME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private Names() {
    }

    public static String requireSnapshotName(String name) {
        if (name == null || !SNAPSHOT.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid snapshot name \"" + name
                    + "\": use 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit");
        }
        if (name.equals("volume-head")) {
            throw new IllegalArgumentException("invalid snapshot name \"volume-head\": reserved for the head");
        }
        return name;
    }

    public static String requireVolumeName(String name) {
        if (name == null || !VOLUME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid volume name \"" + name
                    + "\": use 1-63 lower case letters, digits or '-', starting and ending with a letter or digit");
        }
        return name;
    }
}
