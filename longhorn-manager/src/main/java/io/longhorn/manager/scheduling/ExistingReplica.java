package io.longhorn.manager.scheduling;

/**
 * A replica of the volume being scheduled, where it is and whether it failed. Failed replicas do not
 * count for anti-affinity, but a replacement avoids their disk when it can.
 */
public record ExistingReplica(String nodeID, String diskUUID, boolean failed) {
}
