package io.longhorn.replica.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Longhorn's layer file names: {@code volume-head-NNN.img} and {@code volume-snap-<name>.img}. */
final class LayerFiles {
    static final String SNAP_PREFIX = "volume-snap-";
    static final String HEAD_PREFIX = "volume-head-";
    static final String IMG = ".img";
    private static final Pattern HEAD = Pattern.compile("volume-head-(\\d{3,})\\.img");

    private LayerFiles() {
    }

    static String snapshotFile(String name) {
        return SNAP_PREFIX + name + IMG;
    }

    static String headFile(int n) {
        return String.format("%s%03d%s", HEAD_PREFIX, n, IMG);
    }

    static boolean isHead(String file) {
        return HEAD.matcher(file).matches();
    }

    static boolean isSnapshot(String file) {
        return file.startsWith(SNAP_PREFIX) && file.endsWith(IMG) && file.length() > SNAP_PREFIX.length() + IMG.length();
    }

    static int headNumber(String file) {
        Matcher m = HEAD.matcher(file);
        if (!m.matches()) {
            throw new CorruptMetadataException("\"" + file + "\" is not a head file name");
        }
        return Integer.parseInt(m.group(1));
    }

    /** The user's name of a layer: the snapshot name, or volume-head. */
    static String displayName(String file) {
        if (isSnapshot(file)) {
            return file.substring(SNAP_PREFIX.length(), file.length() - IMG.length());
        }
        return SnapshotInfo.HEAD_NAME;
    }
}
