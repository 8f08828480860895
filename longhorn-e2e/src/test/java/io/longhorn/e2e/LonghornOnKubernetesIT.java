package io.longhorn.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.longhorn.manager.testing.kube.KubeCluster;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Longhorn installed the way a user installs it, on a real single-node cluster: the images the
 * build made are imported into the node's containerd and {@code kubectl apply -f deploy/longhorn.yaml}
 * brings up every Pod. A volume created through {@code /v1} and one created as a Volume resource
 * attach, with their engine and replica Pods; data written through the engine reads back; a
 * replica Pod killed degrades the volume, which rebuilds (soft anti-affinity lets replicas share
 * the node); a snapshot is backed up to the test S3 store of {@code deploy/backupstores}, set up
 * the seed's way (backup target URL plus Secret). Then two uninstalls, each checked to leave no
 * object, Pod or replica data: the seed's (delete the volumes, then the manifests), and upstream's
 * (the {@code deleting-confirmation-flag} setting, then the uninstall job of
 * {@code deploy/longhorn-uninstall.yaml}). The teardown leaves nothing on the host.
 */
class LonghornOnKubernetesIT {
    private static final String NS = Longhorn.NS;
    private static final ResourceDefinitionContext VOLUMES = new ResourceDefinitionContext.Builder()
            .withGroup("longhorn.io").withVersion("v1beta2").withPlural("volumes").withKind("Volume").withNamespaced(true).build();
    private static final List<String> IMAGES = Longhorn.IMAGES;

    private Longhorn lh;

    @Test
    void installUseAndUninstall() throws Exception {
        Path root = KubeControlPlane.repositoryRoot();
        Longhorn.requireImages(root, IMAGES);
        List<ProcessHandle> before = Longhorn.children();
        KubeCluster cluster = KubeCluster.start();
        lh = new Longhorn(cluster);
        try {
            lh.importImages(IMAGES);
            String api = lh.install();
            assertTrue(lh.get(api + "/").contains("<html"), "the UI is served at the manager's port");
            lh.put(api + "/v1/settings/replica-soft-anti-affinity", "{\"value\":\"true\"}");

            // A volume through the API: 3 replica Pods and an engine Pod on the node it attaches to.
            lh.post(api + "/v1/volumes", "{\"name\":\"vol-api\",\"size\":\"64Mi\",\"numberOfReplicas\":3,\"frontend\":\"blockdev\"}");
            long attachStart = System.nanoTime();
            lh.post(api + "/v1/volumes/vol-api?action=attach", "{\"hostId\":\"" + KubeCluster.NODE_NAME + "\"}");
            lh.awaitVolume("vol-api", "attached", "healthy");
            System.out.printf("vol-api (3 replica Pods): attach request to attached and healthy in %d ms%n",
                    (System.nanoTime() - attachStart) / 1_000_000);
            assertEquals(3, lh.instancePods("vol-api", "replica").size(), "a replica Pod per replica");
            assertEquals(1, lh.instancePods("vol-api", "engine").size(), "an engine Pod");
            String endpoint = endpoint("vol-api");
            qemuIo(endpoint, "write -P 0xab 0 4M");
            qemuIo(endpoint, "read -P 0xab 0 4M");

            // A volume as a Volume resource, attached by its spec.nodeID.
            lh.kubectl("apply", "-f", writeTemp("""
                    apiVersion: longhorn.io/v1beta2
                    kind: Volume
                    metadata:
                      name: vol-cr
                      namespace: longhorn-system
                    spec:
                      size: "33554432"
                      numberOfReplicas: 2
                      frontend: blockdev
                      nodeID: %s
                    """.formatted(KubeCluster.NODE_NAME)).toString());
            lh.awaitVolume("vol-cr", "attached", "healthy");
            assertEquals(2, lh.instancePods("vol-cr", "replica").size(), "a replica Pod per replica of the Volume resource");
            String crEndpoint = endpoint("vol-cr");
            qemuIo(crEndpoint, "write -P 0x5c 1M 1M");
            qemuIo(crEndpoint, "read -P 0x5c 1M 1M");
            GenericKubernetesResource cr = lh.client().genericKubernetesResources(VOLUMES).inNamespace(NS).withName("vol-cr").get();
            assertEquals("attached", ((Map<?, ?>) cr.getAdditionalProperties().get("status")).get("state"),
                    "the Volume resource's status tells what the API tells");

            // A replica Pod killed: the volume degrades, rebuilds on a new replica, and keeps its data.
            Pod victim = lh.instancePods("vol-api", "replica").getFirst();
            lh.client().pods().inNamespace(NS).withName(victim.getMetadata().getName()).withGracePeriod(0).delete();
            Longhorn.await("vol-api degraded after its replica Pod was killed",
                    () -> "degraded".equals(lh.volume("vol-api").path("robustness").asText()));
            lh.awaitVolume("vol-api", "attached", "healthy");
            assertTrue(lh.instancePods("vol-api", "replica").stream()
                            .noneMatch(p -> p.getMetadata().getName().equals(victim.getMetadata().getName())),
                    "the killed replica is replaced");
            qemuIo(endpoint("vol-api"), "read -P 0xab 0 4M");

            // A backup to the test S3 store, set up the seed's way: a backup target URL and a Secret.
            lh.testBackupTarget();
            lh.post(api + "/v1/volumes/vol-api?action=snapshotCreate", "{\"name\":\"before-backup\"}");
            lh.post(api + "/v1/volumes/vol-api?action=snapshotBackup", "{\"name\":\"before-backup\"}");
            Longhorn.await("the backup completed", () -> {
                JsonNode list = Longhorn.json(lh.post(api + "/v1/backupvolumes/vol-api?action=backupList", "{}")).path("data");
                for (JsonNode b : list) {
                    assertTrue(!"Error".equals(b.path("state").asText()), "backup failed: " + b);
                    if ("Completed".equals(b.path("state").asText())) {
                        return b.path("url").asText().startsWith("s3://backupbucket@us-east-1/");
                    }
                }
                return false;
            });

            // The seed's uninstall: delete the volumes, then everything the manifests made.
            lh.delete(api + "/v1/volumes/vol-api");
            lh.client().genericKubernetesResources(VOLUMES).inNamespace(NS).withName("vol-cr").delete();
            Longhorn.await("every volume, engine and replica Pod gone", () -> lh.client().genericKubernetesResources(VOLUMES)
                    .inNamespace(NS).list().getItems().isEmpty() && lh.instancePods(null, null).isEmpty());
            assertEquals(List.of(), Longhorn.replicaData(), "deleting a volume deletes its replicas' data");
            lh.kubectl("delete", "-f", root.resolve("deploy/backupstores/s3proxy-backupstore.yaml").toString(), "--wait=false");
            uninstallManifests();
            assertNothingLeft();

            // Upstream's uninstall: with a volume still there, the confirmation flag, then the job.
            String api2 = lh.install();
            lh.put(api2 + "/v1/settings/replica-soft-anti-affinity", "{\"value\":\"true\"}");
            lh.post(api2 + "/v1/volumes", "{\"name\":\"vol-left\",\"size\":\"32Mi\",\"numberOfReplicas\":2,\"frontend\":\"blockdev\"}");
            lh.post(api2 + "/v1/volumes/vol-left?action=attach", "{\"hostId\":\"" + KubeCluster.NODE_NAME + "\"}");
            lh.awaitVolume("vol-left", "attached", "healthy");
            Path job = root.resolve("deploy/longhorn-uninstall.yaml");
            lh.put(api2 + "/v1/settings/deleting-confirmation-flag", "{\"value\":\"true\"}");
            lh.kubectl("apply", "-f", job.toString());
            Longhorn.await("the uninstall job succeeded", () -> {
                var j = lh.client().batch().v1().jobs().inNamespace(NS).withName("longhorn-uninstall").get();
                return j != null && j.getStatus() != null && j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() > 0;
            });
            assertTrue(lh.client().genericKubernetesResources(VOLUMES).inNamespace(NS).list().getItems().isEmpty(), "no volume left");
            assertTrue(lh.instancePods(null, null).isEmpty(), "no engine or replica Pod left");
            uninstallManifests();
            lh.kubectl("delete", "-f", job.toString(), "--ignore-not-found", "--wait=false");
            assertNothingLeft();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(lh.diagnosis(e), e);
        } finally {
            cluster.close();
        }
        assertEquals(List.of(), cluster.leftovers(), "the teardown leaves nothing on the host");
        assertEquals(before.size(), Longhorn.children().size(), "every process stopped");
    }

    /**
     * {@code kubectl delete -f deploy/longhorn.yaml --ignore-not-found} (after the uninstall job the
     * DaemonSet and Deployment are gone already); the namespace goes while {@link #assertNothingLeft} waits.
     */
    private void uninstallManifests() throws Exception {
        lh.kubectl("delete", "-f", lh.root.resolve("deploy/longhorn.yaml").toString(), "--ignore-not-found", "--wait=false");
    }

    private void assertNothingLeft() throws Exception {
        Longhorn.await("the namespace longhorn-system and every Pod gone", () -> lh.client().namespaces().withName(NS).get() == null
                && lh.client().pods().inAnyNamespace().list().getItems().isEmpty());
        assertEquals(List.of(), lh.client().apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                .map(c -> c.getMetadata().getName()).filter(n -> n.endsWith("longhorn.io")).toList(), "no Longhorn CRD left");
        assertEquals(List.of(), Longhorn.replicaData(), "no replica data left on the node");
    }

    /**
     * The engine's NBD export of the volume, as its Engine resource reports it: on a Unix socket in
     * the node's /var/lib/longhorn/engine-sockets (no network address: NBD has no authentication).
     */
    private String endpoint(String volume) throws Exception {
        JsonNode v = lh.volume(volume);
        for (JsonNode c : v.path("controllers")) {
            String e = c.path("endpoint").asText();
            if (e.startsWith("nbd")) {
                assertEquals("nbd+unix:///" + volume + "?socket=/var/lib/longhorn/engine-sockets/" + volume + ".sock", e);
                return e;
            }
        }
        throw new AssertionError("volume " + volume + " reports no NBD endpoint: " + v);
    }

    private static void qemuIo(String uri, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("qemu-io", "-f", "raw", "-c", command, uri).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0 || out.contains("Pattern verification failed")) {
            p.destroyForcibly();
            throw new AssertionError("qemu-io -c '" + command + "' " + uri + " failed: " + out);
        }
    }

    private static Path writeTemp(String text) throws IOException {
        Path f = Files.createTempFile("longhorn-e2e-", ".yaml");
        f.toFile().deleteOnExit();
        Files.writeString(f, text);
        return f;
    }
}
