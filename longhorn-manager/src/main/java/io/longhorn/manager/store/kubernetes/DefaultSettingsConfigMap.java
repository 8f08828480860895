package io.longhorn.manager.store.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ConfigMap {@code longhorn-default-setting}: key {@code default-setting.yaml} holds a YAML map
 * of setting name to default value, as upstream ships it.
 */
public final class DefaultSettingsConfigMap {
    public static final String NAME = "longhorn-default-setting";
    public static final String KEY = "default-setting.yaml";

    private DefaultSettingsConfigMap() {
    }

    /**
     * The defaults in the namespace's ConfigMap; empty when there is no such ConfigMap or key.
     *
     * @throws IllegalArgumentException when the key does not hold a YAML map
     */
    public static Map<String, String> read(KubernetesClient client, String namespace) {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(NAME).get();
        if (cm == null || cm.getData() == null || cm.getData().get(KEY) == null || cm.getData().get(KEY).isBlank()) {
            return Map.of();
        }
        Object parsed;
        try {
            parsed = client.getKubernetesSerialization().unmarshal(cm.getData().get(KEY), Object.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("ConfigMap " + NAME + ": " + KEY + " is not YAML: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("ConfigMap " + NAME + ": " + KEY + " must map setting names to values");
        }
        Map<String, String> values = new LinkedHashMap<>();
        map.forEach((k, v) -> values.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        return values;
    }
}
