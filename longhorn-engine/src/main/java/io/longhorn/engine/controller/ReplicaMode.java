package io.longhorn.engine.controller;

/** What the engine does with a replica. */
public enum ReplicaMode {
    /** In sync: receives every write, serves reads. */
    RW,
    /** Being rebuilt: receives every write, serves no reads until its older data is copied. */
    WO,
    /** Failed, stale or removed from service: receives nothing until it is rebuilt. */
    ERR
}
