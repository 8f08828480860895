package io.longhorn.manager.store;

/** No object of that kind and name. */
public class ResourceNotFoundException extends StoreException {
    public ResourceNotFoundException(String message) {
        super(message);
    }
}
