package io.longhorn.replica.store;

/**
 * The caller is fenced off: it announced or tried to record a generation below the one recorded
 * on the replica, or the one another engine recorded. A newer engine owns the replica.
 */
public class FencedException extends ReplicaException {
    public FencedException(String message) {
        super(message);
    }
}
