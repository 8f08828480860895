package io.longhorn.manager.api.dto;

import java.util.List;
import java.util.Map;

/** A list of resources: {@code {type: "collection", resourceType, links, data}}. */
public record Collection<T>(String type, String resourceType, Map<String, String> links, List<T> data) {
    public static <T> Collection<T> of(String resourceType, String selfUrl, List<T> data) {
        return new Collection<>("collection", resourceType, Map.of("self", selfUrl), data);
    }
}
