package io.longhorn.manager.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.longhorn.manager.testing.kube.KubeCluster;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
    private static final String NS = "longhorn-system";
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ResourceDefinitionContext VOLUMES = new ResourceDefinitionContext.Builder()
            .withGroup("longhorn.io").withVersion("v1beta2").withPlural("volumes").withKind("Volume").withNamespaced(true).build();
    private static final List<String> IMAGES = List.of("longhorn-manager/target/image/longhorn-manager.tar",
            "longhorn-engine/target/image/longhorn-engine.tar", "longhorn-replica/target/image/longhorn-replica.tar",
            "longhorn-backupstore/target/image/longhorn-backup.tar",
            "longhorn-test-s3store/target/image/longhorn-test-s3store.tar");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path root = KubeControlPlane.repositoryRoot();
    private KubeCluster cluster;

    @Test
    void installUseAndUninstall() throws Exception {
        for (String image : IMAGES) {
            assertTrue(Files.isRegularFile(root.resolve(image)), "no image at " + image + ": package its module first");
        }
        List<ProcessHandle> before = children();
        cluster = KubeCluster.start();
        try {
            for (String image : IMAGES) {
                cluster.importImage(root.resolve(image));
            }
            install();
            String api = "http://" + managerIp() + ":9500";
            assertTrue(get(api + "/").contains("<html"), "the UI is served at the manager's port");
            put(api + "/v1/settings/replica-soft-anti-affinity", "{\"value\":\"true\"}");

            // A volume through the API: 3 replica Pods and an engine Pod on the node it attaches to.
            post(api + "/v1/volumes", "{\"name\":\"vol-api\",\"size\":\"64Mi\",\"numberOfReplicas\":3,\"frontend\":\"blockdev\"}");
            long attachStart = System.nanoTime();
            post(api + "/v1/volumes/vol-api?action=attach", "{\"hostId\":\"" + KubeCluster.NODE_NAME + "\"}");
            awaitVolume(api, "vol-api", "attached", "healthy");
            System.out.printf("vol-api (3 replica Pods): attach request to attached and healthy in %d ms%n",
                    (System.nanoTime() - attachStart) / 1_000_000);
            assertEquals(3, instancePods("vol-api", "replica").size(), "a replica Pod per replica");
            assertEquals(1, instancePods("vol-api", "engine").size(), "an engine Pod");
            String endpoint = endpoint(api, "vol-api");
            qemuIo(endpoint, "write -P 0xab 0 4M");
            qemuIo(endpoint, "read -P 0xab 0 4M");

            // A volume as a Volume resource, attached by its spec.nodeID.
            cluster.controlPlane().kubectl("apply", "-f", writeTemp("""
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
            awaitVolume(api, "vol-cr", "attached", "healthy");
            assertEquals(2, instancePods("vol-cr", "replica").size(), "a replica Pod per replica of the Volume resource");
            String crEndpoint = endpoint(api, "vol-cr");
            qemuIo(crEndpoint, "write -P 0x5c 1M 1M");
            qemuIo(crEndpoint, "read -P 0x5c 1M 1M");
            GenericKubernetesResource cr = client().genericKubernetesResources(VOLUMES).inNamespace(NS).withName("vol-cr").get();
            assertEquals("attached", ((Map<?, ?>) cr.getAdditionalProperties().get("status")).get("state"),
                    "the Volume resource's status tells what the API tells");

            // A replica Pod killed: the volume degrades, rebuilds on a new replica, and keeps its data.
            Pod victim = instancePods("vol-api", "replica").getFirst();
            client().pods().inNamespace(NS).withName(victim.getMetadata().getName()).withGracePeriod(0).delete();
            await("vol-api degraded after its replica Pod was killed", () -> "degraded".equals(volume(api, "vol-api").path("robustness").asText()));
            awaitVolume(api, "vol-api", "attached", "healthy");
            assertTrue(instancePods("vol-api", "replica").stream().noneMatch(p -> p.getMetadata().getName().equals(victim.getMetadata().getName())),
                    "the killed replica is replaced");
            qemuIo(endpoint(api, "vol-api"), "read -P 0xab 0 4M");

            // A backup to the test S3 store, set up the seed's way: a backup target URL and a Secret.
            cluster.controlPlane().kubectl("apply", "-f", root.resolve("deploy/backupstores/s3proxy-backupstore.yaml").toString());
            await("the test S3 store ready", () -> ready(client().pods().inNamespace("default").withName("longhorn-test-s3").get()));
            put(api + "/v1/settings/backup-target", "{\"value\":\"s3://backupbucket@us-east-1/\"}");
            put(api + "/v1/settings/backup-target-credential-secret", "{\"value\":\"minio-secret\"}");
            await("the backup target available", () -> json(get(api + "/v1/backuptargets")).path("data").get(0).path("available").asBoolean());
            post(api + "/v1/volumes/vol-api?action=snapshotCreate", "{\"name\":\"before-backup\"}");
            post(api + "/v1/volumes/vol-api?action=snapshotBackup", "{\"name\":\"before-backup\"}");
            await("the backup completed", () -> {
                JsonNode list = json(post(api + "/v1/backupvolumes/vol-api?action=backupList", "{}")).path("data");
                for (JsonNode b : list) {
                    assertTrue(!"Error".equals(b.path("state").asText()), "backup failed: " + b);
                    if ("Completed".equals(b.path("state").asText())) {
                        return b.path("url").asText().startsWith("s3://backupbucket@us-east-1/");
                    }
                }
                return false;
            });

            // The seed's uninstall: delete the volumes, then everything the manifests made.
            delete(api + "/v1/volumes/vol-api");
            client().genericKubernetesResources(VOLUMES).inNamespace(NS).withName("vol-cr").delete();
            await("every volume, engine and replica Pod gone", () -> client().genericKubernetesResources(VOLUMES).inNamespace(NS)
                    .list().getItems().isEmpty() && instancePods(null, null).isEmpty());
            assertEquals(List.of(), replicaData(), "deleting a volume deletes its replicas' data");
            cluster.controlPlane().kubectl("delete", "-f", root.resolve("deploy/backupstores/s3proxy-backupstore.yaml").toString(),
                    "--wait=false");
            uninstallManifests();
            assertNothingLeft();

            // Upstream's uninstall: with a volume still there, the confirmation flag, then the job.
            install();
            String api2 = "http://" + managerIp() + ":9500";
            put(api2 + "/v1/settings/replica-soft-anti-affinity", "{\"value\":\"true\"}");
            post(api2 + "/v1/volumes", "{\"name\":\"vol-left\",\"size\":\"32Mi\",\"numberOfReplicas\":2,\"frontend\":\"blockdev\"}");
            post(api2 + "/v1/volumes/vol-left?action=attach", "{\"hostId\":\"" + KubeCluster.NODE_NAME + "\"}");
            awaitVolume(api2, "vol-left", "attached", "healthy");
            Path job = root.resolve("deploy/longhorn-uninstall.yaml");
            put(api2 + "/v1/settings/deleting-confirmation-flag", "{\"value\":\"true\"}");
            cluster.controlPlane().kubectl("apply", "-f", job.toString());
            await("the uninstall job succeeded", () -> {
                var j = client().batch().v1().jobs().inNamespace(NS).withName("longhorn-uninstall").get();
                return j != null && j.getStatus() != null && j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() > 0;
            });
            assertTrue(client().genericKubernetesResources(VOLUMES).inNamespace(NS).list().getItems().isEmpty(), "no volume left");
            assertTrue(instancePods(null, null).isEmpty(), "no engine or replica Pod left");
            uninstallManifests();
            cluster.controlPlane().kubectl("delete", "-f", job.toString(), "--ignore-not-found", "--wait=false");
            assertNothingLeft();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + "\n" + diagnosis(), e);
        } finally {
            cluster.close();
        }
        assertEquals(List.of(), cluster.leftovers(), "the teardown leaves nothing on the host");
        assertEquals(before.size(), children().size(), "every process stopped");
    }

    /** {@code kubectl apply -f deploy/longhorn.yaml}, then every Pod of longhorn-system Ready and the node's Longhorn Node. */
    private void install() throws Exception {
        cluster.controlPlane().kubectl("apply", "-f", root.resolve("deploy/longhorn.yaml").toString());
        await("every Longhorn Pod Ready", () -> {
            List<Pod> pods = client().pods().inNamespace(NS).list().getItems();
            return pods.size() >= 2 && pods.stream().allMatch(LonghornOnKubernetesIT::ready);
        });
        await("the manager's API answering", () -> get("http://" + managerIp() + ":9500/v1").contains("volumes"));
        await("the Longhorn Node of this node", () -> json(get("http://" + managerIp() + ":9500/v1/nodes")).path("data").size() == 1);
    }

    /**
     * {@code kubectl delete -f deploy/longhorn.yaml --ignore-not-found} (after the uninstall job the
     * DaemonSet and Deployment are gone already); the namespace goes while {@link #assertNothingLeft} waits.
     */
    private void uninstallManifests() throws Exception {
        cluster.controlPlane().kubectl("delete", "-f", root.resolve("deploy/longhorn.yaml").toString(), "--ignore-not-found",
                "--wait=false");
    }

    private void assertNothingLeft() throws Exception {
        await("the namespace longhorn-system and every Pod gone", () -> client().namespaces().withName(NS).get() == null
                && client().pods().inAnyNamespace().list().getItems().isEmpty());
        assertEquals(List.of(), client().apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                .map(c -> c.getMetadata().getName()).filter(n -> n.endsWith("longhorn.io")).toList(), "no Longhorn CRD left");
        assertEquals(List.of(), client().pods().inAnyNamespace().list().getItems().stream()
                .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).toList(), "no Pod left");
        assertEquals(List.of(), replicaData(), "no replica data left on the node");
    }

    private KubernetesClient client() {
        return cluster.client();
    }

    private String managerIp() {
        List<Pod> pods = client().pods().inNamespace(NS).withLabel("app", "longhorn-manager").list().getItems();
        return pods.stream().filter(LonghornOnKubernetesIT::ready).findFirst()
                .orElseThrow(() -> new AssertionError("no ready manager Pod")).getStatus().getPodIP();
    }

    private List<Pod> instancePods(String volume, String component) {
        var pods = client().pods().inNamespace(NS).withLabel("longhorn.io/managed-by", "longhorn-manager");
        List<Pod> all = pods.list().getItems();
        return all.stream().filter(p -> component == null || component.equals(p.getMetadata().getLabels().get("longhorn.io/component")))
                .filter(p -> volume == null || volume.equals(p.getMetadata().getLabels().get("longhornvolume")))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null || volume == null)
                .toList();
    }

    private static boolean ready(Pod p) {
        return p != null && p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static List<String> replicaData() throws IOException {
        Path replicas = Path.of("/var/lib/longhorn/replicas");
        if (!Files.isDirectory(replicas)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(replicas)) {
            return s.map(Path::toString).toList();
        }
    }

    private JsonNode volume(String api, String name) throws Exception {
        return json(get(api + "/v1/volumes/" + name));
    }

    private void awaitVolume(String api, String name, String state, String robustness) throws Exception {
        await("volume " + name + " " + state + " and " + robustness, () -> {
            JsonNode v = volume(api, name);
            return state.equals(v.path("state").asText()) && robustness.equals(v.path("robustness").asText());
        });
    }

    /** The engine's NBD export of the volume, as its Engine resource reports it (at the engine Pod's IP). */
    private String endpoint(String api, String volume) throws Exception {
        JsonNode v = volume(api, volume);
        for (JsonNode c : v.path("controllers")) {
            String e = c.path("endpoint").asText();
            if (e.startsWith("nbd://")) {
                assertTrue(e.startsWith("nbd://198.18.0."), "the export is at the engine Pod's address: " + e);
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

    interface Check {
        boolean ok() throws Exception;
    }

    private void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(what + ": not within " + WAIT.toSeconds() + " s" + (last == null ? "" : " (last error: " + last + ")"));
    }

    private String diagnosis() {
        StringBuilder b = new StringBuilder();
        try {
            b.append(cluster.controlPlane().kubectl("get", "pods,lhv,lhe,lhr", "-A", "-o", "wide"));
            for (Pod p : client().pods().inNamespace(NS).withLabel("app", "longhorn-manager").list().getItems()) {
                b.append(cluster.describe(NS, p.getMetadata().getName()));
            }
        } catch (Exception e) {
            b.append("(no diagnosis: ").append(e).append(")");
        }
        return b.toString();
    }

    private static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    private String get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    private String post(String url, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private String put(String url, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private String delete(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE());
    }

    private String send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest r = request.timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(r.method() + " " + r.uri() + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private static List<ProcessHandle> children() {
        return new ArrayList<>(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList());
    }
}
