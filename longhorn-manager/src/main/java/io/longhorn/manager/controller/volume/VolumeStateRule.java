package io.longhorn.manager.controller.volume;

import io.longhorn.manager.model.VolumeState;

/** The volume's state from what its engine and replicas do. Pure. */
public final class VolumeStateRule {
    private VolumeStateRule() {
    }

    /**
     * @param deleting          the volume is being deleted
     * @param hasReplicas       replicas were created (false right after creation)
     * @param wantAttached      spec.nodeID is set (or a restore needs the replicas running)
     * @param serving           the engine runs on the wanted node and serves (endpoint set, or frontend disabled),
     *                          or, for a restore, every replica runs
     * @param anythingRunning   the engine or some replica still runs or starts
     */
    public static String of(boolean deleting, boolean hasReplicas, boolean wantAttached, boolean serving,
                            boolean anythingRunning) {
        if (deleting) {
            return VolumeState.DELETING;
        }
        if (!hasReplicas) {
            return VolumeState.CREATING;
        }
        if (wantAttached) {
            return serving ? VolumeState.ATTACHED : VolumeState.ATTACHING;
        }
        return anythingRunning ? VolumeState.DETACHING : VolumeState.DETACHED;
    }
}
