package io.longhorn.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.longhorn.manager.testing.kube.KubeCluster;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Longhorn on the single-node test cluster, as the end-to-end tests drive it: the images the build
 * wrote imported into the node, {@code kubectl} on the repository's manifests, the manager's
 * {@code /v1} API at its Pod's address, and waits that end with what the cluster looked like.
 */
final class Longhorn {
    static final String NS = "longhorn-system";
    static final Duration WAIT = Duration.ofMinutes(4);
    /** Every image deploy/longhorn.yaml runs (the CSI driver and its sidecars among them), and the test S3 store's. */
    static final List<String> IMAGES = Stream.concat(Stream.of("longhorn-manager/target/image/longhorn-manager.tar",
            "longhorn-engine/target/image/longhorn-engine.tar", "longhorn-replica/target/image/longhorn-replica.tar",
            "longhorn-backupstore/target/image/longhorn-backup.tar",
            "longhorn-test-s3store/target/image/longhorn-test-s3store.tar"),
            Stream.of("longhorn-csi.tar", "csi-provisioner.tar", "csi-attacher.tar", "csi-resizer.tar", "csi-snapshotter.tar",
                    "snapshot-controller.tar", "csi-node-driver-registrar.tar", "livenessprobe.tar")
                    .map(f -> "longhorn-csi/target/image/" + f)).toList();
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path root = KubeControlPlane.repositoryRoot();
    final KubeCluster cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String token;

    Longhorn(KubeCluster cluster) {
        this.cluster = cluster;
    }

    /** Fails unless every image is there (each module's package phase writes its own). */
    static void requireImages(Path root, List<String> images) {
        for (String image : images) {
            assertTrue(Files.isRegularFile(root.resolve(image)), "no image at " + image + ": package its module first");
        }
    }

    void importImages(List<String> images) throws IOException, InterruptedException {
        for (String image : images) {
            cluster.importImage(root.resolve(image));
        }
    }

    KubernetesClient client() {
        return cluster.client();
    }

    String kubectl(String... args) throws IOException, InterruptedException {
        return cluster.controlPlane().kubectl(args);
    }

    /** {@code kubectl apply -f deploy/longhorn.yaml}, then every Pod of longhorn-system Ready and the node's Longhorn Node. */
    String install() throws Exception {
        kubectl("apply", "-f", root.resolve("deploy/longhorn.yaml").toString());
        await("every Longhorn Pod Ready", () -> {
            List<Pod> pods = client().pods().inNamespace(NS).list().getItems();
            return pods.size() >= 2 && pods.stream().allMatch(Longhorn::ready);
        });
        await("the manager's API answering", () -> get(api() + "/v1").contains("volumes"));
        await("the Longhorn Node of this node", () -> json(get(api() + "/v1/nodes")).path("data").size() == 1);
        return api();
    }

    /** The manager's API at its Pod's address (host programs cannot reach Service IPs here). */
    String api() {
        List<Pod> pods = client().pods().inNamespace(NS).withLabel("app", "longhorn-manager").list().getItems();
        return "http://" + pods.stream().filter(Longhorn::ready).findFirst()
                .orElseThrow(() -> new AssertionError("no ready manager Pod")).getStatus().getPodIP() + ":9500";
    }

    /** The backup target set the seed's way: the test S3 store of deploy/backupstores, its URL and Secret. */
    void testBackupTarget() throws Exception {
        kubectl("apply", "-f", root.resolve("deploy/backupstores/s3proxy-backupstore.yaml").toString());
        await("the test S3 store ready", () -> ready(client().pods().inNamespace("default").withName("longhorn-test-s3").get()));
        put(api() + "/v1/settings/backup-target", "{\"value\":\"s3://backupbucket@us-east-1/\"}");
        put(api() + "/v1/settings/backup-target-credential-secret", "{\"value\":\"minio-secret\"}");
        await("the backup target available", () -> json(get(api() + "/v1/backuptargets")).path("data").get(0).path("available").asBoolean());
    }

    List<Pod> instancePods(String volume, String component) {
        return client().pods().inNamespace(NS).withLabel("longhorn.io/managed-by", "longhorn-manager").list().getItems().stream()
                .filter(p -> component == null || component.equals(p.getMetadata().getLabels().get("longhorn.io/component")))
                .filter(p -> volume == null || volume.equals(p.getMetadata().getLabels().get("longhornvolume")))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null || volume == null)
                .toList();
    }

    static boolean ready(Pod p) {
        return p != null && p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The replica directories on this node's default disk. */
    static List<String> replicaData() throws IOException {
        Path replicas = Path.of("/var/lib/longhorn/replicas");
        if (!Files.isDirectory(replicas)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(replicas)) {
            return s.map(Path::toString).toList();
        }
    }

    JsonNode volume(String name) throws Exception {
        return json(get(api() + "/v1/volumes/" + name));
    }

    void awaitVolume(String name, String state, String robustness) throws Exception {
        await("volume " + name + " " + state + " and " + robustness, () -> {
            JsonNode v = volume(name);
            return state.equals(v.path("state").asText()) && robustness.equals(v.path("robustness").asText());
        });
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls until the check holds; an AssertionError inside it fails at once. */
    static void await(String what, Check check) throws Exception {
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

    /** What the cluster looked like, for a failure's message. */
    /**
     * The failure, then what the cluster looked like: resources, the Longhorn and extra Pods
     * described, the cluster's logs, and last the managers' logs and the failure again (a CI log
     * shows only its end).
     */
    String diagnosis(Throwable failure, String... extraPods) {
        StringBuilder b = new StringBuilder(String.valueOf(failure.getMessage())).append('\n');
        try {
            b.append(kubectl("get", "pods,pvc,pv,volumeattachments", "-A", "-o", "wide"));
            b.append(kubectl("get", "lhv,lhe,lhr", "-A", "-o", "wide"));
        } catch (Exception e) {
            b.append("(kubectl get failed: ").append(e.getMessage()).append(")\n");
        }
        try {
            for (Pod p : client().pods().inNamespace(NS).list().getItems()) {
                String name = p.getMetadata().getName();
                b.append(cluster.describePod(NS, name));
            }
            for (String pod : extraPods) {
                b.append(cluster.describePod("default", pod));
            }
        } catch (Exception e) {
            b.append("(no pod details: ").append(e).append(")");
        }
        b.append('\n').append(cluster.logs());
        try {
            b.append("\n---- longhorn-manager (last lines)\n")
                    .append(kubectl("-n", NS, "logs", "-l", "app=longhorn-manager", "--tail=40"));
        } catch (Exception e) {
            b.append("(no manager logs: ").append(e.getMessage()).append(")\n");
        }
        String message = String.valueOf(failure.getMessage()).strip();
        int eol = message.indexOf('\n');
        return b.append("\n==== failed: ").append(eol < 0 ? message : message.substring(0, eol)).append('\n').toString();
    }

    static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    String get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    String post(String url, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    String put(String url, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    String delete(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE());
    }

    /**
     * The bearer token the tests call the API with, as a user of the cluster would: a service
     * account {@code e2e} of namespace default bound to {@code longhorn-editor} (the API checks it
     * with TokenReview and SubjectAccessReview).
     */
    private synchronized String token() {
        if (token == null) {
            KubernetesClient c = client();
            if (c.serviceAccounts().inNamespace("default").withName("e2e").get() == null) {
                c.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder().withNewMetadata().withName("e2e")
                        .endMetadata().build()).create();
            }
            if (c.rbac().clusterRoleBindings().withName("e2e-longhorn-editor").get() == null) {
                c.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                        .withName("e2e-longhorn-editor").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                        .withKind("ClusterRole").withName("longhorn-editor").endRoleRef().addNewSubject().withKind("ServiceAccount")
                        .withName("e2e").withNamespace("default").endSubject().build()).create();
            }
            token = c.serviceAccounts().inNamespace("default").withName("e2e").tokenRequest(new TokenRequestBuilder()
                    .withNewSpec().withExpirationSeconds(7200L).endSpec().build()).getStatus().getToken();
        }
        return token;
    }

    private String send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest r = request.timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token()).build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(r.method() + " " + r.uri() + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static List<ProcessHandle> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
    }
}
