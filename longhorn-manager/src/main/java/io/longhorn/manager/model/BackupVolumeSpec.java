package io.longhorn.manager.model;

/** Which volume's backups this is, in which target. */
public class BackupVolumeSpec {
    public String syncRequestedAt = "";
    public String backupTargetName = "default";
    public String volumeName = "";
}
