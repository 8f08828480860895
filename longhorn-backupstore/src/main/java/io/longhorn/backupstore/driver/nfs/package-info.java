/**
 * The {@code nfs://server:/export/path} target: the export is mounted ({@code mount -t nfs4}) on a
 * private mount point, used as a directory through the file driver, and unmounted when the last
 * user in this process closes it. Mounting goes through {@link io.longhorn.backupstore.driver.nfs.MountCommand}
 * so that tests can replace the kernel mount with a fake.
 */
package io.longhorn.backupstore.driver.nfs;
