package io.longhorn.manager.store;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Receives change events of one kind. */
@FunctionalInterface
public interface ResourceListener<T extends HasMetadata> {
    void onEvent(ResourceEvent<T> event);
}
