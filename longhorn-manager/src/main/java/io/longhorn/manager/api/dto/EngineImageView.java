package io.longhorn.manager.api.dto;

import java.util.Map;

/** An engine image and whether it is deployed. */
public record EngineImageView(String id, String type, Map<String, String> links, String name, String image,
                              String state, int refCount, boolean incompatible, String version, boolean isDefault) {
}
