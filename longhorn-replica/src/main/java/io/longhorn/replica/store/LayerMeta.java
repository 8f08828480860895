package io.longhorn.replica.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * {@code <layer file>.meta}: one layer's record, in Longhorn's field names. {@code Name} and
 * {@code Parent} are layer file names ({@code volume-snap-<name>.img}); the parent is empty for the
 * oldest layer.
 */
record LayerMeta(
        @JsonProperty("Name") String name,
        @JsonProperty("Parent") String parent,
        @JsonProperty("Removed") boolean removed,
        @JsonProperty("UserCreated") boolean userCreated,
        @JsonProperty("Created") String created,
        @JsonProperty("Labels") Map<String, String> labels) {

    static final String SUFFIX = ".meta";

    LayerMeta {
        parent = parent == null ? "" : parent;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    LayerMeta withParent(String p) {
        return new LayerMeta(name, p, removed, userCreated, created, labels);
    }

    LayerMeta withRemoved(boolean r) {
        return new LayerMeta(name, parent, r, userCreated, created, labels);
    }

    LayerMeta withName(String n) {
        return new LayerMeta(n, parent, removed, userCreated, created, labels);
    }
}
