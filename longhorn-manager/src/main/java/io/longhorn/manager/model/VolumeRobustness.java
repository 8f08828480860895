package io.longhorn.manager.model;

/** Volume robustness as Longhorn reports it. */
public final class VolumeRobustness {
    /** Every wanted replica is RW. */
    public static final String HEALTHY = "healthy";
    /** At least one replica is RW, fewer than wanted. */
    public static final String DEGRADED = "degraded";
    /** No replica is RW: the volume cannot serve I/O. */
    public static final String FAULTED = "faulted";
    /** Not attached: nobody checks the replicas. */
    public static final String UNKNOWN = "unknown";

    private VolumeRobustness() {
    }
}
