/** The {@code file://} target: a local or already mounted directory. Also the base of the NFS driver. */
package io.longhorn.backupstore.driver.file;
