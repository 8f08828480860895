package io.longhorn.manager.model;

/** Volume states as Longhorn reports them. */
public final class VolumeState {
    public static final String CREATING = "creating";
    public static final String ATTACHED = "attached";
    public static final String DETACHED = "detached";
    public static final String ATTACHING = "attaching";
    public static final String DETACHING = "detaching";
    public static final String DELETING = "deleting";

    private VolumeState() {
    }
}
