package io.longhorn.csi;

import io.longhorn.csi.v1.VolumeCapability;
import io.longhorn.csi.v1.VolumeCapability.AccessMode.Mode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Volume capabilities this driver serves: a block device or an ext4/xfs file system, on one node at
 * a time (a Longhorn volume's engine runs on the node it is attached to).
 */
public final class Capabilities {
    static final Set<Mode> MODES = Set.of(Mode.SINGLE_NODE_WRITER, Mode.SINGLE_NODE_READER_ONLY,
            Mode.SINGLE_NODE_SINGLE_WRITER);

    private Capabilities() {
    }

    /** Checks that the capability is complete and well formed (INVALID_ARGUMENT naming the field). */
    public static void validate(String field, VolumeCapability c) {
        if (c.getAccessTypeCase() == VolumeCapability.AccessTypeCase.ACCESSTYPE_NOT_SET) {
            throw Errors.invalid(field + ".access_type", "block or mount is required");
        }
        if (!c.hasAccessMode() || c.getAccessMode().getMode() == Mode.UNKNOWN) {
            throw Errors.invalid(field + ".access_mode", "is required");
        }
    }

    /** Why the capability is not served, or empty when it is. */
    public static Optional<String> unsupported(VolumeCapability c) {
        if (!MODES.contains(c.getAccessMode().getMode())) {
            return Optional.of("access mode " + c.getAccessMode().getMode() + " is not supported: a volume is used on one "
                    + "node at a time (" + MODES + ")");
        }
        if (c.hasMount() && !c.getMount().getFsType().isEmpty()
                && !VolumeParameters.FS_TYPES.contains(c.getMount().getFsType().toLowerCase(Locale.ROOT))) {
            return Optional.of("file system " + c.getMount().getFsType() + " is not supported: ext4 or xfs");
        }
        return Optional.empty();
    }

    /** Validates a list of capabilities and requires every one to be served (INVALID_ARGUMENT otherwise). */
    public static void requireServed(String field, List<VolumeCapability> caps) {
        if (caps.isEmpty()) {
            throw Errors.required(field);
        }
        for (int i = 0; i < caps.size(); i++) {
            validate(field + "[" + i + "]", caps.get(i));
            int index = i;
            unsupported(caps.get(i)).ifPresent(why -> {
                throw Errors.invalid(field + "[" + index + "]", why);
            });
        }
    }
}
