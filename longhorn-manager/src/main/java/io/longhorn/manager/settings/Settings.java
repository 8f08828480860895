package io.longhorn.manager.settings;

import io.longhorn.manager.model.Setting;
import io.longhorn.manager.store.ResourceStore;

/** The current setting values, read from the store, falling back to the definitions' defaults. */
public final class Settings {
    private final ResourceStore store;
    private final SettingDefinitions definitions;

    public Settings(ResourceStore store, SettingDefinitions definitions) {
        this.store = store;
        this.definitions = definitions;
    }

    public SettingDefinitions definitions() {
        return definitions;
    }

    public String get(String name) {
        SettingDefinition def = definitions.find(name)
                .orElseThrow(() -> new IllegalArgumentException("unknown setting " + name));
        return store.get(Setting.class, name).map(Setting::getValue).filter(v -> !v.isEmpty() || def.type() == SettingType.STRING)
                .orElse(def.defaultValue());
    }

    public boolean bool(String name) {
        return Boolean.parseBoolean(get(name));
    }

    public long integer(String name) {
        try {
            return Long.parseLong(get(name).trim());
        } catch (NumberFormatException e) {
            return Long.parseLong(definitions.find(name).orElseThrow().defaultValue());
        }
    }
}
