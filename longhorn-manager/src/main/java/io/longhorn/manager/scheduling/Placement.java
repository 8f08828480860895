package io.longhorn.manager.scheduling;

/** Where a replica goes, or why it cannot go anywhere. */
public sealed interface Placement {

    /** The replica goes on this disk. */
    record Scheduled(DiskCandidate disk) implements Placement {
    }

    /** No disk can take it; the reason is for the volume's Scheduled condition. */
    record Unschedulable(String reason) implements Placement {
    }
}
