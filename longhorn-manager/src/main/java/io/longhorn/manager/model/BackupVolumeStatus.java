package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the backup target holds for the volume (its {@code volume.cfg}). */
public class BackupVolumeStatus {
    public String ownerID = "";
    public String lastModificationTime = "";
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long size;
    public Map<String, String> labels = new LinkedHashMap<>();
    public String createdAt = "";
    public String lastBackupName = "";
    public String lastBackupAt = "";
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long dataStored;
    public List<String> messages = new ArrayList<>();
    public String backingImageName = "";
    public String backingImageChecksum = "";
    public String storageClassName = "";
    public String lastSyncedAt = "";
}
