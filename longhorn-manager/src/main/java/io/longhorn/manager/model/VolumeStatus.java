package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.fabric8.generator.annotation.Pattern;
import java.util.ArrayList;
import java.util.List;

/** What the volume controller observed. Field names are Longhorn's. */
public class VolumeStatus {
    public String ownerID = "";
    /** One of {@link VolumeState}. */
    @Pattern(Schemas.VOLUME_STATE)
    public String state = VolumeState.CREATING;
    /** One of {@link VolumeRobustness}. */
    @Pattern(Schemas.VOLUME_ROBUSTNESS)
    public String robustness = VolumeRobustness.UNKNOWN;
    public String currentNodeID = "";
    public String currentImage = "";
    public boolean frontendDisabled;
    /** The volume restores from a backup (initially, or as a DR volume) and must not be attached yet. */
    public boolean restoreRequired;
    public boolean restoreInitiated;
    public List<Condition> conditions = new ArrayList<>();
    public String lastBackup = "";
    public String lastBackupAt = "";
    public String pendingNodeID = "";
    public String remountRequestedAt = "";
    public boolean expansionRequired;
    public boolean isStandby;
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long actualSize;
    public String lastDegradedAt = "";
    public String shareEndpoint = "";
    public String shareState = "";
    public String currentMigrationNodeID = "";
    public boolean offlineReplicaRebuildingRequired;
    /** The last backup restored into this volume (restores and DR volumes). */
    public String lastRestoredBackup = "";
    /** The running restore job of the backup service, empty otherwise. */
    public String restoreJobID = "";
    public int restoreProgress;
    /** The copy from {@code spec.dataSource}, for a volume created with one. */
    public CloneStatus cloneStatus = new CloneStatus();

    public static final String CONDITION_SCHEDULED = "Scheduled";
    public static final String CONDITION_RESTORE = "Restore";
    /** The copy from the volume's dataSource: in progress, failed (with why) or completed. */
    public static final String CONDITION_CLONE = "Clone";
    public static final String CONDITION_TOO_MANY_SNAPSHOTS = "TooManySnapshots";
}
