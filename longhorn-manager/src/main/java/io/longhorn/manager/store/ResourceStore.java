package io.longhorn.manager.store;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the Longhorn resources live. Every object returned is a fresh copy the caller may change;
 * nothing changes in the store until {@link #create}, {@link #update}, {@link #updateStatus} or
 * {@link #delete} is called.
 *
 * <p>Semantics are Kubernetes': {@code update} writes metadata and spec and keeps the stored status,
 * {@code updateStatus} writes only the status; both fail with {@link ConflictException} when the
 * object's resourceVersion is not the stored one (a reconciler then requeues). Deleting an object
 * that has finalizers only sets its deletionTimestamp; it disappears when the last finalizer is
 * removed by an update.
 */
public interface ResourceStore {

    <T extends HasMetadata> Optional<T> get(Class<T> kind, String name);

    <T extends HasMetadata> List<T> list(Class<T> kind);

    /** The objects carrying every one of the given labels. */
    default <T extends HasMetadata> List<T> list(Class<T> kind, Map<String, String> labels) {
        return list(kind).stream().filter(o -> Resources.hasLabels(o, labels)).toList();
    }

    /**
     * Creates the object without its status (as with a status subresource: controllers own it).
     *
     * @throws AlreadyExistsException when an object of that kind and name exists
     */
    <T extends HasMetadata> T create(T resource);

    /**
     * Writes metadata and spec (for a Setting, its value). The stored status is kept.
     *
     * @throws ConflictException when the resourceVersion is stale
     * @throws ResourceNotFoundException when the object is gone
     */
    <T extends HasMetadata> T update(T resource);

    /**
     * Writes only the status.
     *
     * @throws ConflictException when the resourceVersion is stale
     * @throws ResourceNotFoundException when the object is gone
     */
    <T extends HasMetadata> T updateStatus(T resource);

    /**
     * Deletes the object, or marks it for deletion when it has finalizers. Deleting a missing object
     * does nothing and returns false.
     */
    <T extends HasMetadata> boolean delete(Class<T> kind, String name);

    /** Calls the listener after every change of an object of the kind. Listeners must return quickly. */
    <T extends HasMetadata> Subscription watch(Class<T> kind, ResourceListener<T> listener);

    /** Ends a watch. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
