package io.longhorn.manager.model;

import io.fabric8.generator.annotation.Pattern;
import java.util.LinkedHashMap;
import java.util.Map;

/** Which snapshot to back up; a backup found in the target has an empty snapshot name here. */
public class BackupSpec {
    public String syncRequestedAt = "";
    public String snapshotName = "";
    public Map<String, String> labels = new LinkedHashMap<>();
    /** {@code incremental} (the default) or {@code full}. */
    @Pattern(Schemas.BACKUP_MODE)
    public String backupMode = "incremental";
}
