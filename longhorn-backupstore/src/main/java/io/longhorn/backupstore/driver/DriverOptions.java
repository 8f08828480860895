package io.longhorn.backupstore.driver;

import io.longhorn.backupstore.driver.nfs.MountCommand;
import io.longhorn.backupstore.driver.nfs.SystemMountCommand;
import java.nio.file.Path;
import java.util.Map;

/**
 * What opening a target may need besides its URL.
 *
 * @param credentials     S3 settings by Longhorn's secret keys: {@code AWS_ACCESS_KEY_ID},
 *                        {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_ENDPOINTS}, {@code AWS_CERT}
 * @param nfsMountRoot    where NFS exports are mounted, one private directory per export
 * @param nfsMountOptions default {@code mount -o} options for NFS; a URL's {@code nfsOptions}
 *                        parameter replaces them
 * @param mountCommand    how to mount and unmount (tests use a fake)
 */
public record DriverOptions(Map<String, String> credentials, Path nfsMountRoot, String nfsMountOptions,
                            MountCommand mountCommand) {

    public static final Path DEFAULT_NFS_MOUNT_ROOT = Path.of("/var/lib/longhorn-backupstore-mounts");
    public static final String DEFAULT_NFS_MOUNT_OPTIONS = "soft,timeo=300,retrans=3,actimeo=1";

    /** The process environment's credentials, the default mount root and options, the real mount. */
    public static DriverOptions defaults() {
        return new DriverOptions(System.getenv(), DEFAULT_NFS_MOUNT_ROOT, DEFAULT_NFS_MOUNT_OPTIONS,
                new SystemMountCommand());
    }

    public DriverOptions withCredentials(Map<String, String> creds) {
        return new DriverOptions(creds, nfsMountRoot, nfsMountOptions, mountCommand);
    }

    public DriverOptions withNfs(Path mountRoot, String mountOptions, MountCommand command) {
        return new DriverOptions(credentials, mountRoot, mountOptions, command);
    }
}
