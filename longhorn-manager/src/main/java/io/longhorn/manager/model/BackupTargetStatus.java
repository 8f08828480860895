package io.longhorn.manager.model;

import java.util.ArrayList;
import java.util.List;

/** Whether the target answers, and when it was last read. */
public class BackupTargetStatus {
    public String ownerID = "";
    public boolean available;
    public List<Condition> conditions = new ArrayList<>();
    public String lastSyncedAt = "";
    /**
     * The {@code metadata.generation} of the spec that {@code available} and the conditions describe:
     * lower than the generation while a changed URL or credential has not been checked yet.
     */
    public long observedGeneration;

    public static final String CONDITION_UNAVAILABLE = "Unavailable";
}
