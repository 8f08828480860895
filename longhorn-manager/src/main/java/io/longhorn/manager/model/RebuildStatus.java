package io.longhorn.manager.model;

/** Progress of one replica's rebuild, as Longhorn's engine status carries it. */
public class RebuildStatus {
    public String error = "";
    public boolean isRebuilding;
    public int progress;
    public String state = "";
    public String fromReplicaAddress = "";
}
