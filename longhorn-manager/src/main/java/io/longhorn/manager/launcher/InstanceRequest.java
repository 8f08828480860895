package io.longhorn.manager.launcher;

import java.util.List;

/**
 * What to start.
 *
 * @param kind             engine or replica
 * @param name             the Engine or Replica resource name; instances are known by it
 * @param volumeName       the volume it serves
 * @param nodeID           the node to run on
 * @param size             volume size in bytes
 * @param replicaDirectory a replica's data directory ({@code <disk>/replicas/<dataDirectoryName>})
 * @param replicaAddresses an engine's replicas, control addresses {@code tcp://host:port}
 * @param frontend         an engine's frontend: {@code blockdev} (a block device on the node over the
 *                         engine's NBD export), {@code nbd} (the export itself), or {@code none} when disabled
 */
public record InstanceRequest(InstanceKind kind, String name, String volumeName, String nodeID, long size,
                              String replicaDirectory, List<String> replicaAddresses, String frontend) {

    public static InstanceRequest replica(String name, String volumeName, String nodeID, long size, String directory) {
        return new InstanceRequest(InstanceKind.REPLICA, name, volumeName, nodeID, size, directory, List.of(), "");
    }

    public static InstanceRequest engine(String name, String volumeName, String nodeID, long size,
                                         List<String> replicaAddresses, String frontend) {
        return new InstanceRequest(InstanceKind.ENGINE, name, volumeName, nodeID, size, "", List.copyOf(replicaAddresses),
                frontend);
    }
}
