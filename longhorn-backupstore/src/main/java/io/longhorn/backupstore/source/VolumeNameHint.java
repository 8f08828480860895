package io.longhorn.backupstore.source;

import java.util.regex.Pattern;

/**
 * Guesses a volume's name from its replica directory name: upstream names replica directories
 * {@code <volume>-<8 hex>}; a directory without that suffix is taken as the volume name.
 */
public final class VolumeNameHint {
    private static final Pattern SUFFIX = Pattern.compile("-[0-9a-f]{8}$");
    private static final Pattern VOLUME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private VolumeNameHint() {
    }

    /** The volume name, or null when the directory name does not make a valid one. */
    public static String fromDirectory(String dirName) {
        if (dirName == null || dirName.isEmpty()) {
            return null;
        }
        String base = dirName.substring(dirName.lastIndexOf('/') + 1);
        String name = SUFFIX.matcher(base).replaceFirst("");
        return VOLUME.matcher(name).matches() ? name : null;
    }
}
