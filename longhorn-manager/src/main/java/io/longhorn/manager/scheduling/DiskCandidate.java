package io.longhorn.manager.scheduling;

/**
 * A disk that might take a replica, with its node's and its own scheduling switches and capacity.
 *
 * @param storageScheduled bytes already promised to replicas on the disk (their volume sizes)
 */
public record DiskCandidate(String nodeID, String diskName, String diskUUID, String diskPath, boolean nodeSchedulable,
                            boolean diskSchedulable, long storageMaximum, long storageAvailable, long storageReserved,
                            long storageScheduled) {

    DiskCandidate plusScheduled(long bytes) {
        return new DiskCandidate(nodeID, diskName, diskUUID, diskPath, nodeSchedulable, diskSchedulable, storageMaximum,
                storageAvailable, storageReserved, storageScheduled + bytes);
    }
}
