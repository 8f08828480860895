package io.longhorn.manager.launcher.pod;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.longhorn.manager.controller.replica.ReplicaController;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.kubernetes.KubernetesResourceStore;
import io.longhorn.manager.testing.FakeKubelet;
import io.longhorn.manager.testing.ManagerHarness;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import io.longhorn.manager.testing.kube.KubeControlPlaneExtension;
import io.longhorn.manager.testing.kube.PodStatusWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manager's controllers with the pod launcher, their resources in a real API server with the
 * controller manager (garbage collection), and a kubelet played by the test over the fake engines:
 * attaching a volume runs its engine and replicas as owned Pods on the node; a replica Pod that
 * fails is a replica in error, replaced by a new replica in a new Pod; deleting the volume removes
 * its Pods and replica data before the finalizers let the resources go.
 */
class PodVolumeIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String NS = Longhorn.NAMESPACE;

    @RegisterExtension
    static final KubeControlPlaneExtension KUBE = new KubeControlPlaneExtension(true);

    @TempDir
    Path dir;

    @Test
    void aVolumesInstancesArePodsThroughItsLife() throws Exception {
        KubeControlPlane cp = KUBE.get();
        cp.applyCrds(KubeControlPlane.longhornCrds());
        KubernetesClient c = cp.client();
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        c.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("longhorn-service-account").endMetadata().build()).create();
        new PodStatusWriter(c, NS).node(ManagerHarness.NODE, true);
        KubernetesResourceStore store = new KubernetesResourceStore(c, NS);
        AtomicReference<PodInstanceLauncher> launcher = new AtomicReference<>();
        AtomicReference<FakeKubelet> kubelet = new AtomicReference<>();
        try (ManagerHarness m = new ManagerHarness(store, cluster -> {
            kubelet.set(new FakeKubelet(c, NS, cluster.engines));
            launcher.set(new PodInstanceLauncher(c, PodLauncherOptions.from(k -> Optional.empty(), NS, "0.1.0",
                    ManagerHarness.NODE)));
            return launcher.get();
        }, dir, "disk-a", "disk-b")) {
            m.volumes.create(new VolumeCreate("vol1", "64Mi", 2, null, null, null, null, null, null, null, null));
            m.volumes.attach("vol1", null, false, "test");
            awaitState(store, "vol1", "attached", "healthy");

            Engine engine = store.list(Engine.class, Map.of(Longhorn.LABEL_VOLUME, "vol1")).getFirst();
            Pod enginePod = c.pods().inNamespace(NS).withName(Resources.name(engine)).get();
            assertEquals(ManagerHarness.NODE, enginePod.getSpec().getNodeName());
            assertEquals(engine.getMetadata().getUid(), enginePod.getMetadata().getOwnerReferences().getFirst().getUid());
            assertEquals("engine", enginePod.getMetadata().getLabels().get(PodSpecs.LABEL_COMPONENT));
            assertEquals("vol1", enginePod.getMetadata().getLabels().get(Longhorn.LABEL_VOLUME));
            assertEquals("nbd+unix:///vol1?socket=/var/lib/longhorn/engine-sockets/vol1.sock", engine.getStatus().endpoint,
                    "the export on its node-local socket, not on the Pod network");
            List<Replica> replicas = store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, "vol1"));
            assertEquals(2, replicas.size());
            for (Replica r : replicas) {
                Pod p = c.pods().inNamespace(NS).withName(Resources.name(r)).get();
                assertEquals(ManagerHarness.NODE, p.getSpec().getNodeName());
                assertEquals(r.getMetadata().getUid(), p.getMetadata().getOwnerReferences().getFirst().getUid());
                assertEquals(ReplicaController.directory(r.getSpec()), p.getSpec().getVolumes().getFirst().getHostPath()
                        .getPath());
                assertEquals(p.getStatus().getPodIP(), r.getStatus().ip);
                assertTrue(enginePod.getSpec().getContainers().getFirst().getArgs()
                        .contains("tcp://" + r.getStatus().ip + ":" + PodSpecs.REPLICA_CONTROL_PORT));
            }

            // A replica Pod that fails: the replica is in error, replaced and rebuilt in a new Pod.
            String victim = Resources.name(replicas.getFirst());
            kubelet.get().fail(victim);
            await().atMost(WAIT).untilAsserted(() -> {
                List<Replica> now = store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, "vol1"));
                assertFalse(now.stream().anyMatch(r -> Resources.name(r).equals(victim)), "victim deleted");
                assertEquals(2, now.size());
                assertEquals("healthy", store.get(Volume.class, "vol1").orElseThrow().getStatus().robustness);
                for (Replica r : now) {
                    assertTrue(kubelet.get().running().containsKey(Resources.name(r)), Resources.name(r) + " runs");
                }
            });
            await().atMost(WAIT).until(() -> c.pods().inNamespace(NS).withName(victim).get() == null);
            List<String> dirs = store.list(Replica.class).stream().map(r -> ReplicaController.directory(r.getSpec()))
                    .toList();

            m.volumes.detach("vol1", null, false);
            awaitState(store, "vol1", "detached", "unknown");
            assertTrue(c.pods().inNamespace(NS).withName(Resources.name(engine)).get() == null, "engine pod gone");
            for (String d : dirs) {
                Files.createDirectories(Path.of(d));
            }
            m.volumes.delete("vol1", false);
            await().atMost(WAIT).untilAsserted(() -> {
                assertTrue(store.get(Volume.class, "vol1").isEmpty(), "volume gone");
                assertTrue(store.list(Engine.class).isEmpty(), "engines gone");
                assertTrue(store.list(Replica.class).isEmpty(), "replicas gone");
                assertEquals(List.of(), c.pods().inNamespace(NS).withLabels(PodSpecs.selector()).list().getItems());
                assertEquals(null, c.secrets().inNamespace(NS).withName(PodSpecs.secretName("vol1")).get(),
                        "the volume's secret gone");
            });
            for (String d : dirs) {
                assertTrue(Files.notExists(Path.of(d)), d + " removed");
            }
            assertEquals(List.of(), kubelet.get().errors);
        } finally {
            if (launcher.get() != null) {
                launcher.get().close();
            }
            if (kubelet.get() != null) {
                kubelet.get().close();
            }
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
