package io.longhorn.backupstore.driver.nfs;

import java.nio.file.Path;
import java.util.List;

/** Mounts and unmounts file systems; the real one runs mount(8), tests use a fake. */
public interface MountCommand {

    /**
     * Mounts {@code source} on {@code mountPoint}.
     *
     * @throws io.longhorn.backupstore.error.TargetIOException naming source and mount point on failure
     */
    void mount(String source, Path mountPoint, String fsType, List<String> options);

    /** Unmounts {@code mountPoint}. */
    void unmount(Path mountPoint);

    /** Whether something is mounted on {@code mountPoint}. */
    boolean isMounted(Path mountPoint);
}
