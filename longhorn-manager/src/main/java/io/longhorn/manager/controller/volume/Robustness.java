package io.longhorn.manager.controller.volume;

import io.longhorn.manager.model.VolumeRobustness;
import java.util.Collection;

/** How robust a volume is, from its replicas' modes. Pure. */
public final class Robustness {
    private Robustness() {
    }

    /**
     * @param engineRunning      whether the engine serves (otherwise nobody knows the modes)
     * @param wanted             the volume's numberOfReplicas
     * @param modes              the engine's mode of each replica it has (RW, WO, ERR)
     * @param replicas           how many replicas the volume has
     * @param failedReplicas     how many of them are marked failed
     */
    public static String of(boolean engineRunning, int wanted, Collection<String> modes, int replicas, int failedReplicas) {
        if (!engineRunning) {
            // A detached volume whose every replica failed cannot be attached: say so.
            return replicas > 0 && failedReplicas == replicas ? VolumeRobustness.FAULTED : VolumeRobustness.UNKNOWN;
        }
        long rw = modes.stream().filter(ReplicaMode.RW::equals).count();
        if (rw == 0) {
            return VolumeRobustness.FAULTED;
        }
        return rw >= wanted ? VolumeRobustness.HEALTHY : VolumeRobustness.DEGRADED;
    }
}
