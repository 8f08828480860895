package io.longhorn.manager.store.kubernetes;

import io.longhorn.manager.store.StoreException;

/** The API server refused the object: its CRD's schema does not allow a value (the message names the fields). */
public class InvalidResourceException extends StoreException {
    public InvalidResourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
