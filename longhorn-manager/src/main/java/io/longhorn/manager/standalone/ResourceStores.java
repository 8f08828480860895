package io.longhorn.manager.standalone;

import io.longhorn.manager.settings.SettingDefinition;
import io.longhorn.manager.settings.SettingDefinitions;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.kubernetes.DefaultSettingsConfigMap;
import io.longhorn.manager.store.kubernetes.KubernetesResourceStore;
import io.longhorn.manager.store.local.JsonFileJournal;
import io.longhorn.manager.store.local.LocalResourceStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Opens the resource store {@code longhorn.store} names, and gives the setting defaults that go with it. */
public final class ResourceStores {
    private static final Logger LOG = Logger.getLogger(ResourceStores.class);
    public static final String LOCAL = "local";
    public static final String KUBERNETES = "kubernetes";

    private ResourceStores() {
    }

    /**
     * {@code local}: JSON files under {@code <data>/manager}. {@code kubernetes}: the Longhorn custom
     * resources in namespace {@code longhorn-system} of the cluster the pod's service account,
     * {@code KUBECONFIG} or {@code ~/.kube/config} names (the CRDs must be installed).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static ResourceStore open(String kind, Path data) {
        return switch (kind) {
            case LOCAL -> new LocalResourceStore(new JsonFileJournal(data.resolve("manager")));
            case KUBERNETES -> KubernetesResourceStore.fromEnvironment();
            default -> throw new IllegalArgumentException("longhorn.store: unknown store \"" + kind + "\": use "
                    + LOCAL + " or " + KUBERNETES);
        };
    }

    /**
     * The runtime's setting defaults, and in Kubernetes those of the ConfigMap
     * {@code longhorn-default-setting} over them. Names the manager does not know are ignored with a
     * warning (upstream's ConfigMap may name settings this manager does not have).
     */
    public static Map<String, String> settingDefaults(ResourceStore store, Map<String, String> runtimeDefaults) {
        if (!(store instanceof KubernetesResourceStore k)) {
            return runtimeDefaults;
        }
        Set<String> known = SettingDefinitions.withDefaults(Map.of()).all().stream().map(SettingDefinition::name)
                .collect(Collectors.toSet());
        Map<String, String> merged = new LinkedHashMap<>(runtimeDefaults);
        k.defaultSettings().forEach((name, value) -> {
            if (known.contains(name)) {
                merged.put(name, value);
            } else {
                LOG.warnf("ConfigMap %s: ignoring unknown setting %s", DefaultSettingsConfigMap.NAME, name);
            }
        });
        return merged;
    }
}
