package io.longhorn.engine.controller;

/** One replica of the volume as {@code info} and {@code replica ls} show it. */
public record ReplicaStatus(String address, String dataAddress, ReplicaMode mode, String error, long generation) {

    static ReplicaStatus of(Member m) {
        return new ReplicaStatus(m.address(), m.dataAddress(), m.mode(), m.error(), m.generation());
    }
}
