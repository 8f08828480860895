package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.fabric8.generator.annotation.Pattern;

/** What Engine and Replica specs share: which volume, where, and whether it should run. */
public class InstanceSpec {
    public String volumeName = "";
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long volumeSize;
    public String nodeID = "";
    public String image = "";
    /** {@link InstanceState#RUNNING} or {@link InstanceState#STOPPED}. */
    @Pattern(Schemas.DESIRE_STATE)
    public String desireState = InstanceState.STOPPED;
    public boolean logRequested;
    public boolean salvageRequested;
    @Pattern(Schemas.DATA_ENGINE)
    public String dataEngine = "v1";
}
