package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.fabric8.generator.annotation.Pattern;
import java.util.LinkedHashMap;
import java.util.Map;

/** Progress and result of a backup, or what the target says about a backup found there. */
public class BackupStatus {
    public String ownerID = "";
    public String backupCreatedAt = "";
    /** One of {@link BackupState}. */
    @Pattern(Schemas.BACKUP_STATE)
    public String state = "";
    public int progress;
    public String url = "";
    public String snapshotName = "";
    public String snapshotCreatedAt = "";
    public String replicaAddress = "";
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long size;
    public Map<String, String> labels = new LinkedHashMap<>();
    public String error = "";
    public String volumeName = "";
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long volumeSize;
    public String volumeCreated = "";
    public String volumeBackingImageName = "";
    public String lastSyncedAt = "";
    public String compressionMethod = "";
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long newlyUploadDataSize;
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long reUploadedDataSize;
    /** The backup service job that makes this backup, empty once done. */
    public String jobID = "";
}
