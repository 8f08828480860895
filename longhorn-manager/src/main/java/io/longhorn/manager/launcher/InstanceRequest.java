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
 * @param minGeneration    an engine's minimum generation: the last one seen for the volume; the
 *                         engine refuses replicas below it unless {@code salvage}
 * @param salvage          an engine start that may serve replicas behind the others (a salvage)
 * @param replicaTimeoutSeconds an engine's replica timeout ({@code engine-replica-timeout}); 0 for
 *                         the engine's default
 * @param replicasStarting an engine started while some of its replicas are still starting: it waits
 *                         (bounded) for them to serve instead of finding them unreachable at once
 */
public record InstanceRequest(InstanceKind kind, String name, String volumeName, String nodeID, long size,
                              String replicaDirectory, List<String> replicaAddresses, String frontend,
                              long minGeneration, boolean salvage, int replicaTimeoutSeconds,
                              boolean replicasStarting) {

    public InstanceRequest(InstanceKind kind, String name, String volumeName, String nodeID, long size,
                           String replicaDirectory, List<String> replicaAddresses, String frontend,
                           long minGeneration, boolean salvage, int replicaTimeoutSeconds) {
        this(kind, name, volumeName, nodeID, size, replicaDirectory, replicaAddresses, frontend, minGeneration,
                salvage, replicaTimeoutSeconds, false);
    }

    public static InstanceRequest replica(String name, String volumeName, String nodeID, long size, String directory) {
        return new InstanceRequest(InstanceKind.REPLICA, name, volumeName, nodeID, size, directory, List.of(), "", 0,
                false, 0);
    }

    public static InstanceRequest engine(String name, String volumeName, String nodeID, long size,
                                         List<String> replicaAddresses, String frontend, long minGeneration,
                                         boolean salvage) {
        return new InstanceRequest(InstanceKind.ENGINE, name, volumeName, nodeID, size, "", List.copyOf(replicaAddresses),
                frontend, minGeneration, salvage, 0);
    }

    /** This request with an engine's replica timeout. */
    public InstanceRequest withReplicaTimeout(int seconds) {
        return new InstanceRequest(kind, name, volumeName, nodeID, size, replicaDirectory, replicaAddresses, frontend,
                minGeneration, salvage, seconds, replicasStarting);
    }

    /** This request for an engine some of whose replicas are still starting. */
    public InstanceRequest withReplicasStarting(boolean starting) {
        return new InstanceRequest(kind, name, volumeName, nodeID, size, replicaDirectory, replicaAddresses, frontend,
                minGeneration, salvage, replicaTimeoutSeconds, starting);
    }
}
