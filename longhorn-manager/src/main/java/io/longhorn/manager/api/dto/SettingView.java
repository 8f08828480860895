package io.longhorn.manager.api.dto;

import java.util.List;
import java.util.Map;

/** A setting: its value and what the UI needs to edit it. */
public record SettingView(String id, String type, Map<String, String> links, String name, String value,
                          Definition definition) {

    /** Upstream's setting definition fields. */
    public record Definition(String displayName, String description, String category, String type, boolean required,
                             boolean readOnly, String defaultValue, List<String> options) {
    }
}
