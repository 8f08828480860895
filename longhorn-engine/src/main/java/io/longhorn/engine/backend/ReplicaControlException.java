package io.longhorn.engine.backend;

/**
 * A control call to a replica failed: it was unreachable, timed out, or refused the request.
 * The message names the replica and the operation.
 */
public class ReplicaControlException extends RuntimeException {

    /** Why the call failed, coarse enough for callers to decide what to do. */
    public enum Reason {
        /** Cannot reach the replica or it did not answer in time. */
        UNAVAILABLE,
        /** The replica refused the request (bad argument, missing snapshot, wrong state). */
        REFUSED,
        /** Anything else: an internal error on the replica. */
        FAILED
    }

    private final String replica;
    private final Reason reason;

    public ReplicaControlException(String replica, Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.replica = replica;
        this.reason = reason;
    }

    /** The replica's control address. */
    public String replica() {
        return replica;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * Whether the replica's server itself answered UNAVAILABLE (it runs but does not serve yet),
     * rather than the call failing to reach it: the connection is up and may be asked again.
     */
    public boolean answeredUnavailable() {
        return getCause() instanceof io.grpc.StatusRuntimeException s
                && s.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE && s.getStatus().getCause() == null;
    }
}
