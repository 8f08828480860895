package io.longhorn.manager.service;

/** The named object does not exist (404). */
public class NotFoundException extends ManagerException {
    public NotFoundException(String message) {
        super(message);
    }

    @Override
    public int status() {
        return 404;
    }

    @Override
    public String code() {
        return "NotFound";
    }
}
