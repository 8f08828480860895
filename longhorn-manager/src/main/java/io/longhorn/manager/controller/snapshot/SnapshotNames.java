package io.longhorn.manager.controller.snapshot;

import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Snapshot;
import io.longhorn.manager.store.Resources;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Names of Snapshot resources. Snapshot names are unique only within a volume, so the resource is
 * named {@code <volume>-<snapshot>-<10 hex>}: the readable part made a valid Kubernetes name (lower
 * case, {@code _} as {@code -}), the hex the start of SHA-256 over volume and snapshot, so that two
 * volumes never share a resource. The snapshot's own name is in the label {@link Longhorn#LABEL_SNAPSHOT}
 * and the volume in {@code spec.volume} and the label {@link Longhorn#LABEL_VOLUME}.
 */
public final class SnapshotNames {
    private SnapshotNames() {
    }

    /** The resource name of snapshot {@code snapshot} of volume {@code volume}. */
    public static String resourceName(String volume, String snapshot) {
        String readable = (volume + "-" + snapshot).toLowerCase(Locale.ROOT).replace('_', '-');
        return readable + "-" + hash(volume + "/" + snapshot);
    }

    /**
     * The snapshot's name: its label; a resource written before resources were named per volume has
     * no label and is named after the snapshot alone.
     */
    public static String snapshotName(Snapshot s) {
        String label = Resources.labels(s).get(Longhorn.LABEL_SNAPSHOT);
        return label == null || label.isEmpty() ? Resources.name(s) : label;
    }

    /** The volume the resource belongs to: {@code spec.volume}, else its label. */
    public static String volumeName(Snapshot s) {
        String v = s.getSpec().volume;
        return v == null || v.isEmpty() ? Resources.labels(s).getOrDefault(Longhorn.LABEL_VOLUME, "") : v;
    }

    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
