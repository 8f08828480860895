package io.longhorn.manager.standalone;

import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.kubernetes.KubernetesResourceStore;
import io.longhorn.manager.store.local.JsonFileJournal;
import io.longhorn.manager.store.local.LocalResourceStore;
import java.nio.file.Path;

/** Opens the resource store {@code longhorn.store} names. */
public final class ResourceStores {
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
}
