package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;

/** What Engine and Replica specs share: which volume, where, and whether it should run. */
public class InstanceSpec {
    public String volumeName = "";
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long volumeSize;
    public String nodeID = "";
    public String image = "";
    /** {@link InstanceState#RUNNING} or {@link InstanceState#STOPPED}. */
    public String desireState = InstanceState.STOPPED;
    public boolean logRequested;
    public boolean salvageRequested;
    public String dataEngine = "v1";
}
