package io.longhorn.engine.controller;

/**
 * A volume operation was refused or failed. Subclasses say why, so that the control API can map
 * them to status codes; the message names the volume, replica or snapshot concerned.
 */
public class VolumeException extends RuntimeException {

    /** Why an operation did not happen. */
    public enum Kind {
        /** The request is malformed: a bad name, size or address. Nothing changed. */
        INVALID_ARGUMENT,
        /** The snapshot or replica named does not exist. Nothing changed. */
        NOT_FOUND,
        /** The snapshot or replica already exists. Nothing changed. */
        ALREADY_EXISTS,
        /** The volume is not in a state that allows the operation (rebuilding, frontend running). */
        FAILED_PRECONDITION,
        /** A replica could not be reached. */
        UNAVAILABLE,
        /** The operation failed part way; the message says what state the volume is in. */
        INTERNAL
    }

    private final Kind kind;

    public VolumeException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public VolumeException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static VolumeException invalid(String message) {
        return new VolumeException(Kind.INVALID_ARGUMENT, message);
    }

    public static VolumeException notFound(String message) {
        return new VolumeException(Kind.NOT_FOUND, message);
    }

    public static VolumeException exists(String message) {
        return new VolumeException(Kind.ALREADY_EXISTS, message);
    }

    public static VolumeException precondition(String message) {
        return new VolumeException(Kind.FAILED_PRECONDITION, message);
    }
}
