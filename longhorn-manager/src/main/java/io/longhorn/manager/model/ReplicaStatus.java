package io.longhorn.manager.model;

/** What the replica controller observed about the replica instance. */
public class ReplicaStatus extends InstanceStatus {
    public boolean evictionRequested;
    /** The replica's data server address as it reported it ({@code tcp://host:port}). */
    public String dataAddress = "";
}
