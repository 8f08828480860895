package io.longhorn.manager.service;

/** A field of the request is missing or wrong (400). */
public class InvalidInputException extends ManagerException {
    private final String field;

    public InvalidInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    @Override
    public int status() {
        return 400;
    }

    @Override
    public String code() {
        return "InvalidInput";
    }
}
