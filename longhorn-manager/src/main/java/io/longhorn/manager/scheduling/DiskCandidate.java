package io.longhorn.manager.scheduling;

/**
 * A disk that might take a replica, with its node's and its own scheduling switches and capacity.
 *
 * @param storageScheduled bytes already promised to replicas on the disk (their volume sizes)
 * @param zone             the node's zone, empty when it has none
 */
public record DiskCandidate(String nodeID, String diskName, String diskUUID, String diskPath, boolean nodeSchedulable,
                            boolean diskSchedulable, long storageMaximum, long storageAvailable, long storageReserved,
                            long storageScheduled, String zone) {

    /** A disk on a node without a zone. */
    public DiskCandidate(String nodeID, String diskName, String diskUUID, String diskPath, boolean nodeSchedulable,
                         boolean diskSchedulable, long storageMaximum, long storageAvailable, long storageReserved,
                         long storageScheduled) {
        this(nodeID, diskName, diskUUID, diskPath, nodeSchedulable, diskSchedulable, storageMaximum, storageAvailable,
                storageReserved, storageScheduled, "");
    }

    /**
     * What zone anti-affinity compares: the zone, or for a node without one the node itself (a node
     * with no zone is a zone of its own, so zones never constrain nodes that declare none).
     */
    public String zoneKey() {
        return zone.isEmpty() ? "node:" + nodeID : zone;
    }

    DiskCandidate plusScheduled(long bytes) {
        return new DiskCandidate(nodeID, diskName, diskUUID, diskPath, nodeSchedulable, diskSchedulable, storageMaximum,
                storageAvailable, storageReserved, storageScheduled + bytes, zone);
    }
}
