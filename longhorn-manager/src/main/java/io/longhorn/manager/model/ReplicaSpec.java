package io.longhorn.manager.model;

/** Where a replica lives and whether it is healthy. */
public class ReplicaSpec extends InstanceSpec {
    public String engineName = "";
    /** When the replica was last seen RW (set once it joined the engine). */
    public String healthyAt = "";
    public String lastHealthyAt = "";
    /** When the replica failed; non-empty means the replica is failed and must not serve. */
    public String failedAt = "";
    public String lastFailedAt = "";
    public String diskID = "";
    public String diskPath = "";
    /** Directory under {@code <diskPath>/replicas/}. */
    public String dataDirectoryName = "";
    public String backingImage = "";
    public boolean active = true;
    public String hardNodeAffinity = "";
    public boolean revisionCounterDisabled = true;
    public int rebuildRetryCount;
    public boolean evictionRequested;
}
