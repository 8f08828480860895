package io.longhorn.manager.model;

/** The instance states Longhorn uses for engines and replicas. */
public final class InstanceState {
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    public static final String STARTING = "starting";
    public static final String STOPPING = "stopping";
    public static final String ERROR = "error";
    public static final String UNKNOWN = "unknown";

    private InstanceState() {
    }
}
