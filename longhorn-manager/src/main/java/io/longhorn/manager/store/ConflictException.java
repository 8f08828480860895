package io.longhorn.manager.store;

/** The object changed since it was read (stale resourceVersion). Read it again and retry. */
public class ConflictException extends StoreException {
    public ConflictException(String message) {
        super(message);
    }
}
