package io.longhorn.manager.store;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A change of one object.
 *
 * @param type     what happened
 * @param resource the object after the change (before it, for a deletion)
 */
public record ResourceEvent<T extends HasMetadata>(Type type, T resource) {

    /** Kinds of change, as in a Kubernetes watch. */
    public enum Type { ADDED, MODIFIED, DELETED }

    public String name() {
        return resource.getMetadata().getName();
    }
}
