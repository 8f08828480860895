package io.longhorn.manager.launcher.pod;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.kubernetes.KubernetesResourceStore;
import io.longhorn.manager.store.kubernetes.SecretCredentialSource;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import io.longhorn.manager.testing.kube.KubeControlPlaneExtension;
import io.longhorn.manager.testing.kube.PodStatusWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pod launcher against a real kube-apiserver and kube-controller-manager (no kubelet: the test
 * writes Pod status itself): Pods created on their node, owned by their resource; states from the
 * Pod's phase; a failed or deleted Pod is an instance in error; stop deletes; the garbage collector
 * removes the Pods of a deleted resource. Also the Secret credentials of a backup target.
 */
class PodInstanceLauncherIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = Longhorn.NAMESPACE;

    @RegisterExtension
    static final KubeControlPlaneExtension KUBE = new KubeControlPlaneExtension(true);

    @TempDir
    Path dir;

    @BeforeAll
    static void install() throws Exception {
        KubeControlPlane cp = KUBE.get();
        cp.applyCrds(KubeControlPlane.longhornCrds());
        KubernetesClient c = cp.client();
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        c.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("longhorn-service-account").endMetadata().build()).create();
        new PodStatusWriter(c, NS).node("node-1", true);
    }

    @Test
    void instancesAreOwnedPodsWhoseDeathIsAnError() throws Exception {
        KubeControlPlane cp = KUBE.get();
        KubernetesClient c = cp.client();
        PodStatusWriter kubelet = new PodStatusWriter(c, NS);
        KubernetesResourceStore store = new KubernetesResourceStore(c, NS);
        Set<String> heard = ConcurrentHashMap.newKeySet();
        try (PodInstanceLauncher launcher = new PodInstanceLauncher(c, PodLauncherOptions.from(k -> Optional.empty(), NS,
                "0.1.0", "node-1"))) {
            launcher.addListener(heard::add);
            io.longhorn.manager.model.Volume volume = store.create(Resources.create(
                    io.longhorn.manager.model.Volume.class, "vol1"));
            Replica replica = store.create(Resources.create(Replica.class, "vol1-r-1"));
            Engine engine = store.create(Resources.create(Engine.class, "vol1-e-0"));

            InstanceInfo started = launcher.start(InstanceRequest.replica("vol1-r-1", "vol1", "node-1", 1 << 26,
                    "/var/lib/longhorn/replicas/vol1-0a1b"));
            assertEquals(InstanceState.STARTING, started.state());
            Pod pod = await().atMost(WAIT).until(() -> c.pods().inNamespace(NS).withName("vol1-r-1").get(),
                    p -> p != null);
            assertEquals("node-1", pod.getSpec().getNodeName());
            assertEquals(replica.getMetadata().getUid(), pod.getMetadata().getOwnerReferences().getFirst().getUid());
            assertEquals("replica", pod.getMetadata().getLabels().get("longhorn.io/component"));
            assertEquals("vol1", pod.getMetadata().getLabels().get(Longhorn.LABEL_VOLUME));
            assertEquals("/var/lib/longhorn/replicas/vol1-0a1b", pod.getSpec().getVolumes().stream()
                    .filter(v -> v.getHostPath() != null).findFirst().orElseThrow().getHostPath().getPath());
            // The volume's secret: a Secret owned by the Volume, mounted into the Pod.
            var secret = c.secrets().inNamespace(NS).withName("longhorn-volume-secret-vol1").get();
            assertEquals(volume.getMetadata().getUid(), secret.getMetadata().getOwnerReferences().getFirst().getUid());
            assertEquals(32, java.util.Base64.getDecoder().decode(secret.getData().get("secret")).length);
            assertTrue(pod.getSpec().getVolumes().stream().anyMatch(v -> v.getSecret() != null
                    && v.getSecret().getSecretName().equals("longhorn-volume-secret-vol1")));
            assertEquals("longhorn-java/longhorn-replica:0.1.0", pod.getSpec().getContainers().getFirst().getImage());
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-r-1").map(InstanceInfo::state)
                    .equals(Optional.of(InstanceState.STARTING)));
            // Starting again while it starts creates nothing new.
            assertEquals(InstanceState.STARTING, launcher.start(InstanceRequest.replica("vol1-r-1", "vol1", "node-1",
                    1 << 26, "/var/lib/longhorn/replicas/vol1-0a1b")).state());

            heard.clear();
            kubelet.running("vol1-r-1", "10.42.0.7");
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-r-1").map(InstanceInfo::state)
                    .equals(Optional.of(InstanceState.RUNNING)));
            InstanceInfo running = launcher.inspect("vol1-r-1").orElseThrow();
            assertEquals("10.42.0.7:10000", running.controlAddress());
            assertEquals(java.util.Base64.getEncoder().encodeToString(launcher.secretForAddress("tcp://10.42.0.7:10000")
                    .bytes()), secret.getData().get("secret"), "calls to the replica prove its volume's secret");
            assertEquals("tcp://10.42.0.7:10001", running.dataAddress());
            assertTrue(heard.contains("vol1-r-1"), "listeners hear of the change");

            // The engine starts with the replica's address; it may start while replicas still start.
            launcher.start(InstanceRequest.engine("vol1-e-0", "vol1", "node-1", 1 << 26,
                    List.of(running.dataAddress()), "nbd", 0, false));
            Pod enginePod = await().atMost(WAIT).until(() -> c.pods().inNamespace(NS).withName("vol1-e-0").get(),
                    p -> p != null);
            assertEquals(engine.getMetadata().getUid(), enginePod.getMetadata().getOwnerReferences().getFirst().getUid());
            assertTrue(enginePod.getSpec().getContainers().getFirst().getArgs().contains("tcp://10.42.0.7:10001"));
            kubelet.running("vol1-e-0", "10.42.0.8");
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-e-0").map(InstanceInfo::endpoint)
                    .equals(Optional.of("nbd+unix:///vol1?socket=/var/lib/longhorn/engine-sockets/vol1.sock")));

            // A failed Pod is a replica in error, with the container's exit.
            kubelet.failed("vol1-r-1", 1, "disk gone");
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-r-1").map(InstanceInfo::state)
                    .equals(Optional.of(InstanceState.ERROR)));
            assertEquals("pod vol1-r-1 failed: exit code 1, Error: disk gone",
                    launcher.inspect("vol1-r-1").orElseThrow().error());
            // Starting it again replaces the dead Pod.
            String deadUid = c.pods().inNamespace(NS).withName("vol1-r-1").get().getMetadata().getUid();
            launcher.start(InstanceRequest.replica("vol1-r-1", "vol1", "node-1", 1 << 26,
                    "/var/lib/longhorn/replicas/vol1-0a1b"));
            await().atMost(WAIT).untilAsserted(() -> {
                kubelet.completeDeletions();
                launcher.start(InstanceRequest.replica("vol1-r-1", "vol1", "node-1", 1 << 26,
                        "/var/lib/longhorn/replicas/vol1-0a1b"));
                Pod fresh = c.pods().inNamespace(NS).withName("vol1-r-1").get();
                assertTrue(fresh != null && !fresh.getMetadata().getUid().equals(deadUid), "a new pod");
            });
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-r-1").map(InstanceInfo::state)
                    .equals(Optional.of(InstanceState.STARTING)));

            // A Pod deleted behind the launcher's back is an engine that died.
            c.pods().inNamespace(NS).withName("vol1-e-0").withGracePeriod(0).delete();
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-e-0").map(InstanceInfo::state)
                    .equals(Optional.of(InstanceState.ERROR)));
            assertEquals("pod vol1-e-0 was deleted", launcher.inspect("vol1-e-0").orElseThrow().error());
            // stop clears it.
            launcher.stop("vol1-e-0");
            assertEquals(Optional.empty(), launcher.inspect("vol1-e-0"));

            // stop deletes the Pod: stopping until the kubelet is done, then nothing.
            kubelet.running("vol1-r-1", "10.42.0.9");
            launcher.stop("vol1-r-1");
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-r-1").map(InstanceInfo::state)
                    .equals(Optional.of(InstanceState.STOPPING)));
            kubelet.completeDeletions();
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-r-1").isEmpty());

            // The garbage collector deletes the Pods of a deleted resource.
            launcher.start(InstanceRequest.replica("vol1-r-1", "vol1", "node-1", 1 << 26,
                    "/var/lib/longhorn/replicas/vol1-0a1b"));
            await().atMost(WAIT).until(() -> c.pods().inNamespace(NS).withName("vol1-r-1").get() != null);
            store.delete(Replica.class, "vol1-r-1");
            await().atMost(WAIT).untilAsserted(() -> {
                kubelet.completeDeletions();
                assertEquals(null, c.pods().inNamespace(NS).withName("vol1-r-1").get());
            });
            store.delete(Engine.class, "vol1-e-0");

            // A start whose resource does not exist is an error that names it.
            InstanceInfo orphan = launcher.start(InstanceRequest.replica("nobody", "vol1", "node-1", 1,
                    "/var/lib/longhorn/replicas/x"));
            assertEquals(InstanceState.ERROR, orphan.state());
            assertTrue(orphan.error().contains("replica resource nobody not found"), orphan.error());

            // The volume's secret goes when asked to (the garbage collector would take it with the Volume).
            launcher.deleteVolumeSecret("vol1");
            assertEquals(null, c.secrets().inNamespace(NS).withName("longhorn-volume-secret-vol1").get());
        }
    }

    @Test
    void replicaDataIsRemovedOnlyOnThisNodeAndOnlyReplicaDirectories() throws Exception {
        KubernetesClient c = KUBE.get().client();
        Path data = Files.createDirectories(dir.resolve("replicas").resolve("vol1-0a1b"));
        Files.writeString(data.resolve("volume-head-000.img"), "x");
        Path other = Files.createDirectories(dir.resolve("other"));
        try (PodInstanceLauncher launcher = new PodInstanceLauncher(c, PodLauncherOptions.from(k -> Optional.empty(), NS,
                "0.1.0", "node-1"))) {
            launcher.deleteReplicaData("node-2", data.toString());
            assertTrue(Files.exists(data), "another node's data stays for its manager");
            launcher.deleteReplicaData("node-1", other.toString());
            assertTrue(Files.exists(other), "not a replica directory");
            launcher.deleteReplicaData("node-1", data.toString());
            assertTrue(Files.notExists(data));
        }
    }

    @Test
    void backupTargetCredentialsComeFromASecretOfLonghornsNamespace() {
        KubernetesClient c = KUBE.get().client();
        c.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("minio-secret").endMetadata()
                .withStringData(Map.of("AWS_ACCESS_KEY_ID", "longhorn-test-access-key",
                        "AWS_SECRET_ACCESS_KEY", "longhorn-test-secret-key",
                        "AWS_ENDPOINTS", "http://minio-service.default:9000", "AWS_CERT", "-----BEGIN CERTIFICATE-----\n"))
                .build()).create();
        SecretCredentialSource secrets = new SecretCredentialSource(c, NS);
        assertEquals(Map.of("AWS_ACCESS_KEY_ID", "longhorn-test-access-key",
                "AWS_SECRET_ACCESS_KEY", "longhorn-test-secret-key",
                "AWS_ENDPOINTS", "http://minio-service.default:9000", "AWS_CERT", "-----BEGIN CERTIFICATE-----"),
                secrets.read("minio-secret"));
        assertEquals(Map.of(), secrets.read("absent"));
        assertEquals(Map.of(), secrets.read(""));
    }
}
