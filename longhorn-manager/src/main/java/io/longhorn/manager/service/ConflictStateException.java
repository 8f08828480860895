package io.longhorn.manager.service;

/** The request is valid but the object's state forbids it now (409), e.g. deleting an attached volume. */
public class ConflictStateException extends ManagerException {
    private final String code;

    public ConflictStateException(String message) {
        this("Conflict", message);
    }

    public ConflictStateException(String code, String message) {
        super(message);
        this.code = code;
    }

    @Override
    public int status() {
        return 409;
    }

    @Override
    public String code() {
        return code;
    }
}
