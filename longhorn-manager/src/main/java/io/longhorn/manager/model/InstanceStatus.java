package io.longhorn.manager.model;

/** What Engine and Replica statuses share: the instance's observed state and address. */
public class InstanceStatus {
    public String ownerID = "";
    public String instanceManagerName = "";
    /** One of the {@link InstanceState} values. */
    public String currentState = InstanceState.STOPPED;
    public String currentImage = "";
    public String ip = "";
    public String storageIP = "";
    public int port;
    public boolean started;
    public boolean logFetched;
    public boolean salvageExecuted;
    /** Why the instance is in error, empty otherwise. */
    public String error = "";
}
