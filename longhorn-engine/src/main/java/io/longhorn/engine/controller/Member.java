package io.longhorn.engine.controller;

import io.longhorn.engine.backend.ReplicaControl;
import io.longhorn.engine.backend.ReplicaDataPath;

/**
 * One replica as a member of this engine's volume: its two connections and its mode. Mode and
 * error change only under the {@link ReplicaSet}'s monitor; the data path reads them without locks.
 */
public final class Member {

    private final String address;
    private final String dataAddress;
    private final ReplicaControl control;
    private final ReplicaDataPath data;
    final InflightTracker inflight = new InflightTracker();
    private volatile ReplicaMode mode;
    private volatile String error = "";
    private volatile long generation;

    Member(String address, String dataAddress, ReplicaControl control, ReplicaDataPath data, ReplicaMode mode,
           long generation) {
        this.address = address;
        this.dataAddress = dataAddress;
        this.control = control;
        this.data = data;
        this.mode = mode;
        this.generation = generation;
    }

    /** Control address, as the replica was added: {@code tcp://host:port}. */
    public String address() {
        return address;
    }

    public String dataAddress() {
        return dataAddress;
    }

    public ReplicaControl control() {
        return control;
    }

    /** Null for a replica that was ERR from the start (never connected). */
    public ReplicaDataPath data() {
        return data;
    }

    public ReplicaMode mode() {
        return mode;
    }

    /** Why the replica is ERR; empty otherwise. */
    public String error() {
        return error;
    }

    /** The last generation known to be recorded on the replica. */
    public long generation() {
        return generation;
    }

    void mode(ReplicaMode mode) {
        this.mode = mode;
    }

    void error(String error) {
        this.error = error;
    }

    void generation(long generation) {
        this.generation = generation;
    }

    @Override
    public String toString() {
        return "replica " + address + " (" + mode + ")";
    }
}
