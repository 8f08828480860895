package io.longhorn.manager.controller.volume;

/** Replica modes as the engine reports them. */
public final class ReplicaMode {
    public static final String RW = "RW";
    public static final String WO = "WO";
    public static final String ERR = "ERR";

    private ReplicaMode() {
    }
}
