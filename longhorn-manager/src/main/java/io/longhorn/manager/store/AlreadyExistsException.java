package io.longhorn.manager.store;

/** An object of that kind and name exists already. */
public class AlreadyExistsException extends StoreException {
    public AlreadyExistsException(String message) {
        super(message);
    }
}
