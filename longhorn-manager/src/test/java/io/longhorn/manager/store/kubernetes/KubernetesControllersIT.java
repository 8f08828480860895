package io.longhorn.manager.store.kubernetes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.testing.ManagerHarness;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import io.longhorn.manager.testing.kube.KubeControlPlaneExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same controllers and services as standalone (over the fake launcher and engines), with their
 * resources in a real kube-apiserver: they are woken by the store's watch events, write status
 * through the subresource, requeue on conflicts, and their finalizers hold deletions until they
 * cleaned up.
 */
class KubernetesControllersIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KubeControlPlaneExtension KUBE = new KubeControlPlaneExtension(false);

    @TempDir
    Path dir;

    @Test
    void aVolumeLivesItsLifeInTheApiServer() throws Exception {
        KubeControlPlane cp = KUBE.get();
        cp.applyCrds(KubeControlPlane.longhornCrds());
        cp.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(Longhorn.NAMESPACE).endMetadata()
                .build()).create();
        KubernetesResourceStore store = new KubernetesResourceStore(cp.client(), Longhorn.NAMESPACE);
        try (ManagerHarness m = new ManagerHarness(store, dir, "disk-a", "disk-b")) {
            m.volumes.create(new VolumeCreate("vol1", "64Mi", 2, null, null, null, null, null, null, null, null));
            awaitState(store, "vol1", "detached", "unknown");
            assertEquals(2, store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, "vol1")).size());

            m.volumes.attach("vol1", null, false, "test");
            awaitState(store, "vol1", "attached", "healthy");
            String row = cp.kubectl("get", "lhv", "-n", Longhorn.NAMESPACE, "--no-headers", "vol1");
            assertTrue(row.contains("attached") && row.contains("healthy") && row.contains(ManagerHarness.NODE)
                    && row.contains(Long.toString(64L << 20)), row);
            assertTrue(cp.kubectl("get", "lhe", "-n", Longhorn.NAMESPACE, "--no-headers").contains("running"));

            // A replica that dies is replaced and rebuilt.
            Replica victim = store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, "vol1")).getFirst();
            m.cluster.launcher.crash(Resources.name(victim));
            await().atMost(WAIT).untilAsserted(() -> {
                List<Replica> now = store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, "vol1"));
                assertFalse(now.stream().anyMatch(r -> Resources.name(r).equals(Resources.name(victim))), "victim deleted");
                assertEquals(2, now.size());
                assertEquals("healthy", store.get(Volume.class, "vol1").orElseThrow().getStatus().robustness);
            });

            m.volumes.detach("vol1", null, false);
            awaitState(store, "vol1", "detached", "unknown");
            m.volumes.delete("vol1", false);
            await().atMost(WAIT).untilAsserted(() -> {
                assertTrue(store.get(Volume.class, "vol1").isEmpty(), "volume gone");
                assertTrue(store.list(Engine.class).isEmpty(), "engines gone");
                assertTrue(store.list(Replica.class).isEmpty(), "replicas gone");
            });
            assertTrue(m.cluster.launcher.running().isEmpty());
            assertEquals(List.of(), m.cluster.launcher.violations);
        }
    }

    private static void awaitState(KubernetesResourceStore store, String name, String state, String robustness) {
        await().atMost(WAIT).untilAsserted(() -> {
            Volume v = store.get(Volume.class, name).orElseThrow();
            assertEquals(state, v.getStatus().state, "state of " + name);
            assertEquals(robustness, v.getStatus().robustness, "robustness of " + name);
        });
    }
}
