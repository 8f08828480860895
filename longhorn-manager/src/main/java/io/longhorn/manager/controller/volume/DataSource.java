package io.longhorn.manager.controller.volume;

import io.longhorn.api.types.Names;

/**
 * A volume's {@code dataSource}, Longhorn's: {@code vol://<volume>} (a clone of that volume, through
 * a snapshot taken for the copy) or {@code snap://<volume>/<snapshot>} (a volume made from that
 * snapshot).
 *
 * @param volume   the source volume
 * @param snapshot the snapshot to copy, null for {@code vol://}
 */
public record DataSource(String volume, String snapshot) {
    private static final String VOL = "vol://";
    private static final String SNAP = "snap://";

    /**
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static DataSource parse(String text) {
        if (text.startsWith(VOL)) {
            String volume = text.substring(VOL.length());
            return new DataSource(Names.requireVolumeName(volume), null);
        }
        if (text.startsWith(SNAP)) {
            String rest = text.substring(SNAP.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("expected snap://<volume>/<snapshot>");
            }
            return new DataSource(Names.requireVolumeName(rest.substring(0, slash)),
                    Names.requireSnapshotName(rest.substring(slash + 1)));
        }
        throw new IllegalArgumentException("expected vol://<volume> or snap://<volume>/<snapshot>");
    }

    /** The source volume a volume's dataSource names, empty when it has none or it is invalid. */
    public static String sourceVolume(String dataSource) {
        if (dataSource == null || dataSource.isEmpty()) {
            return "";
        }
        try {
            return parse(dataSource).volume();
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** Whether the copy goes through a snapshot taken for it (and removed afterwards). */
    public boolean takesSnapshot() {
        return snapshot == null;
    }

    /** The snapshot a {@code vol://} copy into {@code target} takes of the source. */
    static String snapshotFor(String target) {
        String name = "clone-" + target;
        return name.length() <= 63 ? name : name.substring(0, 63); // a snapshot name's limit
    }
}
