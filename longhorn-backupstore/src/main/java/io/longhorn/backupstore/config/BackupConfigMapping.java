package io.longhorn.backupstore.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/**
 * {@code longhorn.backup.*}: defaults for jobs and NFS mounts. Environment variables work too,
 * e.g. {@code LONGHORN_BACKUP_NFS_MOUNT_OPTIONS}.
 */
@ConfigMapping(prefix = "longhorn.backup")
public interface BackupConfigMapping {

    /** Blocks in flight per backup or restore when a request does not say. */
    @WithDefault("2")
    int concurrency();

    /** Compression of new backup volumes: lz4, gzip or none. */
    @WithDefault("lz4")
    String compression();

    /** Finished jobs remembered for GetJob/ListJobs. */
    @WithDefault("200")
    int retainedJobs();

    Nfs nfs();

    /**
     * The backup service's secret file ({@code serve --secret-file}): every call must prove it.
     * Without it the service takes calls from anyone who reaches it.
     */
    java.util.Optional<Path> secretFile();

    /** NFS mounting. */
    interface Nfs {
        /** Where exports are mounted, one private directory per export. */
        @WithDefault("/var/lib/longhorn-backupstore-mounts")
        Path mountRoot();

        /** mount -o options, unless the target URL has {@code nfsOptions}. */
        @WithDefault("soft,timeo=300,retrans=3,actimeo=1")
        String mountOptions();
    }
}
