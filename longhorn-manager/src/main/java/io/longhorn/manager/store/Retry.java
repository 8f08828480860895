package io.longhorn.manager.store;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.function.Predicate;

/**
 * Read-modify-write with retries on conflicts, for callers that are not reconcilers (the REST API,
 * recurring jobs): a reconciler requeues instead.
 */
public final class Retry {
    private static final int ATTEMPTS = 20;

    private Retry() {
    }

    /**
     * Reads the object, applies {@code change} to the copy and writes it, until no conflict.
     * {@code change} returns false to write nothing (and may throw to abort).
     *
     * @return the object as written, or as read when nothing was written
     * @throws ResourceNotFoundException when the object does not exist
     */
    public static <T extends HasMetadata> T update(ResourceStore store, Class<T> kind, String name, Predicate<T> change) {
        return write(store, kind, name, change, false);
    }

    /** As {@link #update}, for the status. */
    public static <T extends HasMetadata> T updateStatus(ResourceStore store, Class<T> kind, String name, Predicate<T> change) {
        return write(store, kind, name, change, true);
    }

    private static <T extends HasMetadata> T write(ResourceStore store, Class<T> kind, String name, Predicate<T> change,
                                                   boolean status) {
        ConflictException last = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            T current = store.get(kind, name).orElseThrow(() -> new ResourceNotFoundException(
                    kind.getSimpleName().toLowerCase() + " " + name + " not found"));
            if (!change.test(current)) {
                return current;
            }
            try {
                return status ? store.updateStatus(current) : store.update(current);
            } catch (ConflictException e) {
                last = e;
                Thread.onSpinWait();
            }
        }
        throw last;
    }
}
