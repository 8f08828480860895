package io.longhorn.manager.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** What the engine should serve. */
public class EngineSpec extends InstanceSpec {
    /** {@code blockdev} (a block device on the node), {@code nbd} (the NBD export), empty for none. */
    public String frontend = "blockdev";
    /** Replica name to the replica's control address ({@code tcp://host:port}). */
    public Map<String, String> replicaAddressMap = new LinkedHashMap<>();
    public Map<String, String> upgradedReplicaAddressMap = new LinkedHashMap<>();
    public String backupVolume = "";
    public String requestedBackupRestore = "";
    public String requestedDataSource = "";
    public boolean disableFrontend;
    public boolean revisionCounterDisabled = true;
    public boolean active = true;
    public int snapshotMaxCount = 250;
    /**
     * The next start is a salvage: the engine may serve replicas behind the volume's last
     * generation (set by the salvage action and auto-salvage; cleared once the engine runs).
     */
    public boolean salvageStart;
}
