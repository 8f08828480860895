package io.longhorn.backupstore.endpoint;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.types.Address;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.restore.FanOutTarget;
import io.longhorn.backupstore.restore.FileRestoreTarget;
import io.longhorn.backupstore.restore.ReplicaRestoreTarget;
import io.longhorn.backupstore.restore.RestoreTarget;
import io.longhorn.backupstore.source.SnapshotSource;
import io.longhorn.backupstore.source.dir.DirectorySnapshotSource;
import io.longhorn.backupstore.source.replica.ReplicaSnapshotSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opens sources and restore targets from the addresses given on the command line or in requests. */
public final class Endpoints {
    private static final String DIR = "dir://";
    private static final String FILE = "file://";

    private Endpoints() {
    }

    /**
     * A snapshot source: {@code dir:///replica/dir} reads a replica directory on this machine,
     * anything else is a replica's control address {@code host:port}.
     *
     * @throws InvalidInputException naming the address when it is neither
     */
    public static SnapshotSource source(String address) {
        return source(address, null);
    }

    /** A snapshot source whose replica calls prove {@code secret} (null: none). */
    public static SnapshotSource source(String address, VolumeSecret secret) {
        if (address == null || address.isBlank()) {
            throw new InvalidInputException("replica address is empty");
        }
        if (address.startsWith(DIR)) {
            return new DirectorySnapshotSource(absolute(address.substring(DIR.length()), address));
        }
        return new ReplicaSnapshotSource(parse(address), secret);
    }

    /**
     * A restore target writing to all of {@code addresses}: {@code file:///image.img} (created
     * with {@code size} bytes if missing) or replica control addresses.
     */
    public static RestoreTarget target(List<String> addresses, long size) {
        return target(addresses, size, null);
    }

    /** A restore target whose replica connections prove {@code secret} (null: none). */
    public static RestoreTarget target(List<String> addresses, long size, VolumeSecret secret) {
        if (addresses == null || addresses.isEmpty()) {
            throw new InvalidInputException("no restore target: give at least one replica address");
        }
        List<RestoreTarget> targets = new ArrayList<>();
        try {
            for (String a : addresses) {
                if (a.startsWith(FILE)) {
                    targets.add(FileRestoreTarget.open(absolute(a.substring(FILE.length()), a), size));
                } else {
                    targets.add(ReplicaRestoreTarget.connect(parse(a), secret));
                }
            }
        } catch (RuntimeException e) {
            targets.forEach(RestoreTarget::close);
            throw e;
        }
        return new FanOutTarget(targets);
    }

    private static Path absolute(String path, String address) {
        if (!path.startsWith("/")) {
            throw new InvalidInputException("invalid address \"" + address + "\": the path must be absolute");
        }
        return Path.of(path);
    }

    private static Address parse(String address) {
        try {
            Address a = Address.parse(address);
            if (a.isUnix()) {
                throw new InvalidInputException("invalid replica address \"" + address + "\": expected host:port");
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("invalid replica address \"" + address + "\": " + e.getMessage());
        }
    }
}
