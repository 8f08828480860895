package io.longhorn.manager.service;

/**
 * A request the manager refuses. Each subclass maps to one HTTP status and Longhorn API error code;
 * the message says what was wrong with which field or object.
 */
public abstract class ManagerException extends RuntimeException {
    protected ManagerException(String message) {
        super(message);
    }

    protected ManagerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** HTTP status. */
    public abstract int status();

    /** Error code in the error body, e.g. {@code InvalidInput}. */
    public abstract String code();
}
