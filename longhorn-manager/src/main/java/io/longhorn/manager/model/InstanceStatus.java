package io.longhorn.manager.model;

import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** What Engine and Replica statuses share: the instance's observed state and address. */
public class InstanceStatus {
    public String ownerID = "";
    public String instanceManagerName = "";
    /** One of the {@link InstanceState} values. */
    @Pattern(Schemas.INSTANCE_STATE)
    public String currentState = InstanceState.STOPPED;
    public String currentImage = "";
    public String ip = "";
    public String storageIP = "";
    @Min(0)
    public int port;
    public boolean started;
    public boolean logFetched;
    public boolean salvageExecuted;
    /** Why the instance is in error, empty otherwise. */
    public String error = "";
}
