package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the engine controller observed through the engine's control API. */
public class EngineStatus extends InstanceStatus {
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long currentSize;
    /** Replica name to address, as the running engine has them. */
    public Map<String, String> currentReplicaAddressMap = new LinkedHashMap<>();
    /** Replica name to mode: {@code RW}, {@code WO} or {@code ERR}. */
    public Map<String, String> replicaModeMap = new LinkedHashMap<>();
    public Map<String, String> replicaTransitionTimeMap = new LinkedHashMap<>();
    /** The frontend endpoint, e.g. {@code nbd://127.0.0.1:10809/vol1}; empty when not serving. */
    public String endpoint = "";
    /** Frontend blockdev: which block device serves the endpoint and how (kernel NBD client or userspace). */
    public String frontendDevice = "";
    public String lastRestoredBackup = "";
    /** Replica address to its rebuild progress. */
    public Map<String, RebuildStatus> rebuildStatus = new LinkedHashMap<>();
    /** Snapshot name to what the engine reports about it. */
    public Map<String, SnapshotInfo> snapshots = new LinkedHashMap<>();
    public String snapshotsError = "";
    public boolean isExpanding;
    public String lastExpansionError = "";
    public String lastExpansionFailedAt = "";
    public boolean unmapMarkSnapChainRemovedEnabled;
    /**
     * The highest generation this volume's engine was seen to record (raised whenever a replica
     * drops out, and at every start). Never lowered, kept while the engine is stopped: the next
     * start gets it as its minimum, so that it refuses replicas that missed writes.
     */
    public long generation;
}
