package io.longhorn.manager.client;

/** A call to an engine or the backup service failed; the message names the service and the call. */
public class ServiceCallException extends RuntimeException {
    private final boolean unavailable;
    private final boolean invalidArgument;
    private final boolean notFound;

    public ServiceCallException(String message, boolean unavailable, boolean invalidArgument, boolean notFound,
                                Throwable cause) {
        super(message, cause);
        this.unavailable = unavailable;
        this.invalidArgument = invalidArgument;
        this.notFound = notFound;
    }

    public ServiceCallException(String message) {
        this(message, false, false, false, null);
    }

    /** The service did not answer (not running, or unreachable). */
    public boolean unavailable() {
        return unavailable;
    }

    /** The service refused the arguments (e.g. an unknown snapshot name). */
    public boolean invalidArgument() {
        return invalidArgument;
    }

    public boolean notFound() {
        return notFound;
    }
}
