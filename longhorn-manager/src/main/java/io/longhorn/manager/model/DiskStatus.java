package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A disk's capacity and what is scheduled on it. */
public class DiskStatus {
    public List<Condition> conditions = new ArrayList<>();
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long storageAvailable;
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long storageScheduled;
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long storageMaximum;
    /** Replica name to its volume size, for every replica scheduled on the disk. */
    public Map<String, Long> scheduledReplica = new LinkedHashMap<>();
    public String diskUUID = "";
    public String diskName = "";
    public String diskPath = "";
    public String diskType = "filesystem";
    public String filesystemType = "";

    public static final String CONDITION_READY = "Ready";
    public static final String CONDITION_SCHEDULABLE = "Schedulable";
}
