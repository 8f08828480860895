package io.longhorn.manager.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.model.Setting;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.local.LocalResourceStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingDefinitionsTest {
    private final SettingDefinitions defs = SettingDefinitions.withDefaults(Map.of("replica-soft-anti-affinity", "true"));

    @Test
    void upstreamDefaultsHoldUnlessTheRuntimeReplacesThem() {
        assertEquals("3", defs.find("default-replica-count").orElseThrow().defaultValue());
        assertEquals("100", defs.find("storage-over-provisioning-percentage").orElseThrow().defaultValue());
        assertEquals("25", defs.find("storage-minimal-available-percentage").orElseThrow().defaultValue());
        assertEquals("true", defs.find("replica-soft-anti-affinity").orElseThrow().defaultValue());
    }

    @Test
    void valuesAreCheckedByTypeAndRangeWithMessagesNamingTheSetting() {
        var count = defs.find("default-replica-count").orElseThrow();
        var e = assertThrows(IllegalArgumentException.class, () -> count.validate("abc"));
        assertTrue(e.getMessage().contains("default-replica-count"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> count.validate("0"));
        assertThrows(IllegalArgumentException.class, () -> count.validate("21"));
        assertEquals("5", count.validate(" 5 "));
        assertEquals("true", defs.find("auto-salvage").orElseThrow().validate("TRUE"));
        assertThrows(IllegalArgumentException.class, () -> defs.find("auto-salvage").orElseThrow().validate("yes"));
        assertThrows(IllegalArgumentException.class,
                () -> defs.find("backup-compression-method").orElseThrow().validate("zstd"));
    }

    @Test
    void unknownOverridesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SettingDefinitions.withDefaults(Map.of("no-such", "1")));
    }

    @Test
    void settingsReadTheStoreAndFallBackToDefaults() {
        var store = new LocalResourceStore();
        var settings = new Settings(store, defs);
        assertEquals(3, settings.integer("default-replica-count"));
        Setting s = Resources.create(Setting.class, "default-replica-count");
        s.setValue("2");
        store.create(s);
        assertEquals(2, settings.integer("default-replica-count"));
    }
}
