package io.longhorn.manager.service;

/** A service the request needs (the volume's engine, the backup service) did not answer (503). */
public class UnavailableException extends ManagerException {
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int status() {
        return 503;
    }

    @Override
    public String code() {
        return "ServiceUnavailable";
    }
}
