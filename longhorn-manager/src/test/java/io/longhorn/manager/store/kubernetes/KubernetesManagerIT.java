package io.longhorn.manager.store.kubernetes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.longhorn.manager.launcher.pod.PodSpecs;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.testing.ManagerProcess;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import io.longhorn.manager.testing.kube.KubeControlPlaneExtension;
import io.longhorn.manager.testing.kube.PodStatusWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged manager started with {@code LONGHORN_STORE=kubernetes} against a real API server,
 * with the cluster's tokens and RBAC deciding who may do what through its API (a service account
 * bound to {@code longhorn-viewer}, or to the built-in {@code view}, lists volumes and cannot attach
 * one; one bound to {@code longhorn-editor} creates and attaches):
 * it runs its instances as Pods by default (a volume created and attached through {@code /v1} gets
 * a replica Pod on the manager's node, its data under the node's disk), and takes the volume as
 * its owner (no other manager is available).
 */
class KubernetesManagerIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String NS = Longhorn.NAMESPACE;

    @RegisterExtension
    static final KubeControlPlaneExtension KUBE = new KubeControlPlaneExtension(true);

    @TempDir
    Path dir;

    @Test
    void theManagerInAClusterRunsReplicasAsPods() throws Exception {
        KubeControlPlane cp = KUBE.get();
        cp.applyCrds(KubeControlPlane.longhornCrds());
        KubernetesClient c = cp.client();
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        // The manager's service account and the ClusterRoles longhorn-viewer and longhorn-editor.
        cp.kubectl("apply", "-f", KubeControlPlane.repositoryRoot().resolve("k8s/rbac.yaml").toString());
        String viewer = serviceAccountToken(cp, "viewer", "longhorn-viewer");
        String editor = serviceAccountToken(cp, "editor", "longhorn-editor");
        // The built-in view role holds longhorn-viewer's rules once the controller manager aggregated them.
        String view = serviceAccountToken(cp, "view", "view");
        new PodStatusWriter(c, NS).node("node-1", true);
        Path data = dir.resolve("data");
        try (ManagerProcess m = ManagerProcess.start(data, ManagerProcess.freePort(), "node-1",
                Map.of("LONGHORN_STORE", "kubernetes", "KUBECONFIG", cp.kubeconfig().toString()))) {
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(401, send(http, m, null, "GET", "/v1/volumes", null).statusCode());
            assertEquals(401, send(http, m, "not-a-token", "GET", "/v1/volumes", null).statusCode());
            HttpResponse<String> created = send(http, m, editor, "POST", "/v1/volumes",
                    "{\"name\":\"vol1\",\"size\":\"64Mi\",\"numberOfReplicas\":1}");
            assertEquals(200, created.statusCode(), created.body());
            KubernetesResourceStore store = new KubernetesResourceStore(c, NS);
            await().atMost(WAIT).until(() -> store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, "vol1")).size() == 1);

            // RBAC decides: a viewer lists the volume, and its attach is refused and changes nothing.
            HttpResponse<String> listed = send(http, m, viewer, "GET", "/v1/volumes", null);
            assertEquals(200, listed.statusCode(), listed.body());
            assertTrue(listed.body().contains("\"name\":\"vol1\""), listed.body());
            HttpResponse<String> refused = send(http, m, viewer, "POST", "/v1/volumes/vol1?action=attach", "{}");
            assertEquals(403, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("system:serviceaccount:" + NS + ":viewer")
                    && refused.body().contains("update volumes.longhorn.io"), refused.body());
            assertEquals("", store.get(Volume.class, "vol1").orElseThrow().getSpec().nodeID);
            assertEquals(403, send(http, m, viewer, "DELETE", "/v1/volumes/vol1", null).statusCode());
            await().atMost(WAIT).untilAsserted(() ->
                    assertEquals(200, send(http, m, view, "GET", "/v1/volumes/vol1", null).statusCode()));
            assertEquals(403, send(http, m, view, "POST", "/v1/volumes/vol1?action=attach", "{}").statusCode());

            HttpResponse<String> attached = send(http, m, editor, "POST", "/v1/volumes/vol1?action=attach", "{}");
            assertEquals(200, attached.statusCode(), attached.body());

            Replica replica = store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, "vol1")).getFirst();
            Pod pod = await().atMost(WAIT).until(() -> c.pods().inNamespace(NS).withName(Resources.name(replica)).get(),
                    p -> p != null);
            assertEquals("node-1", pod.getSpec().getNodeName());
            assertEquals("replica", pod.getMetadata().getLabels().get(PodSpecs.LABEL_COMPONENT));
            assertTrue(pod.getSpec().getVolumes().getFirst().getHostPath().getPath().startsWith(data.toString()),
                    pod.getSpec().getVolumes().getFirst().getHostPath().getPath());
            assertEquals("node-1", store.get(Volume.class, "vol1").orElseThrow().getStatus().ownerID);
            assertEquals(List.of(), c.pods().inNamespace(NS).withLabel(PodSpecs.LABEL_COMPONENT, "engine").list()
                    .getItems(), "the engine waits for its replica to run");
        }
    }

    /** A service account in the namespace bound to the ClusterRole, and a token of it. */
    private static String serviceAccountToken(KubeControlPlane cp, String name, String clusterRole) throws Exception {
        cp.client().serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName(name).endMetadata().build()).create();
        cp.kubectl("create", "clusterrolebinding", "test-" + name, "--clusterrole=" + clusterRole,
                "--serviceaccount=" + NS + ":" + name);
        return cp.kubectl("create", "token", name, "-n", NS).trim();
    }

    private static HttpResponse<String> send(HttpClient http, ManagerProcess m, String token, String method, String path,
                                             String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(m.url() + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
