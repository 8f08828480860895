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
 * The packaged manager started with {@code LONGHORN_STORE=kubernetes} against a real API server:
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
        c.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("longhorn-service-account").endMetadata().build()).create();
        new PodStatusWriter(c, NS).node("node-1", true);
        Path data = dir.resolve("data");
        try (ManagerProcess m = ManagerProcess.start(data, ManagerProcess.freePort(), "node-1",
                Map.of("LONGHORN_STORE", "kubernetes", "KUBECONFIG", cp.kubeconfig().toString()))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(m.url() + "/v1/volumes"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"name\":\"vol1\",\"size\":\"64Mi\",\"numberOfReplicas\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, created.statusCode(), created.body());
            KubernetesResourceStore store = new KubernetesResourceStore(c, NS);
            await().atMost(WAIT).until(() -> store.list(Replica.class, Map.of(Longhorn.LABEL_VOLUME, "vol1")).size() == 1);
            HttpResponse<String> attached = http.send(HttpRequest.newBuilder(URI.create(m.url()
                    + "/v1/volumes/vol1?action=attach")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
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
}
