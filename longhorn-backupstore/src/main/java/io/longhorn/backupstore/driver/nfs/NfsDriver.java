package io.longhorn.backupstore.driver.nfs;

import io.longhorn.backupstore.driver.DriverOptions;
import io.longhorn.backupstore.driver.ForwardingDriver;
import io.longhorn.backupstore.driver.file.FileDriver;
import io.longhorn.backupstore.error.TargetIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The NFS target: mounts the export on {@code <mount root>/<server_path>} unless it is mounted
 * already, then works like a directory target. Mounts are shared by the drivers of one process and
 * counted; the last one to close unmounts, unless the export was mounted before we came.
 */
public final class NfsDriver extends ForwardingDriver {
    private static final Logger LOG = Logger.getLogger(NfsDriver.class);
    private static final String FS_TYPE = "nfs4";
    /** Mount points in use by this process; guarded by itself. */
    private static final Map<Path, Use> USERS = new HashMap<>();

    /** How many drivers use a mount point, and whether this process mounted it (and so unmounts it). */
    private record Use(int drivers, boolean mountedByUs) {
    }

    private final NfsLocation location;
    private final Path mountPoint;
    private final MountCommand mounts;
    private boolean closed;

    private NfsDriver(NfsLocation location, Path mountPoint, MountCommand mounts, FileDriver files) {
        super(files);
        this.location = location;
        this.mountPoint = mountPoint;
        this.mounts = mounts;
    }

    /** Mounts (if needed) and opens the target. Nothing is written to the export here. */
    public static NfsDriver open(NfsLocation location, DriverOptions options) {
        Path mountPoint = options.nfsMountRoot().resolve(location.mountDirName()).toAbsolutePath();
        MountCommand mounts = options.mountCommand();
        List<String> mountOptions = optionList(location.options() != null ? location.options()
                : options.nfsMountOptions());
        synchronized (USERS) {
            boolean mounted = mounts.isMounted(mountPoint);
            boolean weMounted = false;
            if (!mounted) {
                try {
                    Files.createDirectories(mountPoint);
                } catch (IOException e) {
                    throw new TargetIOException("cannot create mount point " + mountPoint + " for " + location.url()
                            + ": " + e.getMessage(), e);
                }
                LOG.infof("mounting %s on %s (options %s)", location.source(), mountPoint, mountOptions);
                mounts.mount(location.source(), mountPoint, FS_TYPE, mountOptions);
                weMounted = true;
            }
            FileDriver files;
            try {
                files = new FileDriver(mountPoint, location.url());
            } catch (RuntimeException e) {
                if (weMounted) {
                    mounts.unmount(mountPoint);
                }
                throw e;
            }
            Use use = USERS.get(mountPoint);
            USERS.put(mountPoint, use == null ? new Use(1, weMounted)
                    : new Use(use.drivers() + 1, use.mountedByUs() || weMounted));
            return new NfsDriver(location, mountPoint, mounts, files);
        }
    }

    static List<String> optionList(String options) {
        if (options == null || options.isBlank()) {
            return List.of();
        }
        return Arrays.stream(options.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Where the export is mounted. */
    public Path mountPoint() {
        return mountPoint;
    }

    @Override
    public String url() {
        return location.url();
    }

    @Override
    public void close() {
        synchronized (USERS) {
            if (closed) {
                return;
            }
            closed = true;
            Use use = USERS.get(mountPoint);
            if (use.drivers() > 1) {
                USERS.put(mountPoint, new Use(use.drivers() - 1, use.mountedByUs()));
            } else {
                USERS.remove(mountPoint);
                if (use.mountedByUs()) {
                    LOG.infof("unmounting %s from %s", location.source(), mountPoint);
                    mounts.unmount(mountPoint);
                }
            }
        }
    }

    @Override
    public String toString() {
        return url();
    }
}
