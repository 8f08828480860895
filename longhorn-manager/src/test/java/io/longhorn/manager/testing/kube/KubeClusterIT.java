package io.longhorn.manager.testing.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The single-node cluster runs our own image: the replica image the build wrote is imported into
 * the node's containerd, a pod running {@code longhorn-replica --help} succeeds with exit code 0,
 * a pod reaches the API server through the {@code kubernetes} Service, a replica server pod
 * becomes Ready and answers on its pod IP from the host and through a NodePort Service (kube-proxy), and the teardown leaves no process, mount, network namespace,
 * bridge, route or iptables rule behind.
 */
class KubeClusterIT {
    private static final Duration POD_TIMEOUT = Duration.ofMinutes(4);

    @Test
    void runsOurImageAndLeavesNothingBehind() throws Exception {
        Path image = KubeControlPlane.repositoryRoot().resolve("longhorn-replica/target/image/longhorn-replica.tar");
        assertTrue(Files.isRegularFile(image), "no replica image at " + image + ": package longhorn-replica first");
        String tag = tagOf(image);
        List<ProcessHandle> before = children();
        KubeCluster cluster = KubeCluster.start();
        try {
            cluster.importImage(image);
            KubernetesClient c = cluster.client();

            Pod help = c.pods().inNamespace("default").resource(new PodBuilder()
                    .withNewMetadata().withName("replica-help").endMetadata()
                    .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("replica").withImage(tag)
                    .withImagePullPolicy("Never").withArgs("--help").endContainer().endSpec().build()).create();
            Pod done = await(cluster, help, p -> p.getStatus() != null
                    && ("Succeeded".equals(p.getStatus().getPhase()) || "Failed".equals(p.getStatus().getPhase())), "Succeeded");
            ContainerStateTerminated exit = done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
            assertEquals(0, exit.getExitCode(), "longhorn-replica --help exits 0 in its image\n" + cluster.describe("default", "replica-help"));
            assertTrue(c.pods().inNamespace("default").withName("replica-help").getLog().contains("Usage: longhorn-replica"),
                    "the help text is in the pod's log");

            // A pod reaches the API server through the kubernetes Service (kube-proxy's DNAT to the gateway):
            // a plain HTTP request on its TLS port gets Go's "HTTP request to an HTTPS server" answer.
            Pod api = c.pods().inNamespace("default").resource(new PodBuilder()
                    .withNewMetadata().withName("api-reach").endMetadata()
                    .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("nc").withImage(tag)
                    .withImagePullPolicy("Never").withCommand("/bin/sh", "-c",
                            "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 10 \"$KUBERNETES_SERVICE_HOST\" \"$KUBERNETES_SERVICE_PORT\"")
                    .endContainer().endSpec().build()).create();
            Pod apiDone = await(cluster, api, p -> p.getStatus() != null
                    && ("Succeeded".equals(p.getStatus().getPhase()) || "Failed".equals(p.getStatus().getPhase())), "Succeeded");
            String apiLog = c.pods().inNamespace("default").withName("api-reach").getLog();
            assertEquals("Succeeded", apiDone.getStatus().getPhase(), "the pod reaches the API server at its Service\n"
                    + cluster.describe("default", "api-reach"));
            assertTrue(apiLog.contains("HTTPS server"), "the API server answered through the kubernetes Service: " + apiLog);

            long created = System.nanoTime();
            Pod server = c.pods().inNamespace("default").resource(new PodBuilder()
                    .withNewMetadata().withName("replica").withLabels(Map.of("app", "replica")).endMetadata()
                    .withNewSpec().addNewContainer().withName("replica").withImage(tag).withImagePullPolicy("Never")
                    .withArgs("--listen", "0.0.0.0:9502", "--size", "16Mi", "/data")
                    .addNewPort().withContainerPort(9502).endPort()
                    .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString(9502)).endTcpSocket()
                    .withPeriodSeconds(1).endReadinessProbe()
                    .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                    .endContainer()
                    .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                    .endSpec().build()).create();
            Pod ready = await(cluster, server, p -> p.getStatus() != null && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream().anyMatch(x -> "Ready".equals(x.getType()) && "True".equals(x.getStatus())),
                    "Ready");
            System.out.printf("replica pod: created to Ready in %d ms%n", (System.nanoTime() - created) / 1_000_000);
            String podIp = ready.getStatus().getPodIP();
            assertTrue(podIp.startsWith("198.18.0."), "pod IP in the pod range: " + podIp);
            connect(cluster, podIp, 9502, "the replica's control port at its pod IP");
            connect(cluster, podIp, 9503, "the replica's data port at its pod IP");

            Service svc = c.services().inNamespace("default").resource(new ServiceBuilder()
                    .withNewMetadata().withName("replica").endMetadata()
                    .withNewSpec().withType("NodePort").withSelector(Map.of("app", "replica"))
                    .addNewPort().withPort(9502).withTargetPort(new IntOrString(9502)).endPort().endSpec().build()).create();
            assertTrue(svc.getSpec().getClusterIP().startsWith("198.19.0."), "ClusterIP in the service range");
            connect(cluster, KubeCluster.GATEWAY, svc.getSpec().getPorts().get(0).getNodePort(), "the replica through its NodePort");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
        } finally {
            cluster.close();
        }
        assertEquals(List.of(), cluster.leftovers(), "the teardown leaves nothing on the host");
        assertEquals(before.size(), children().size(), "every process stopped");
    }

    private static Pod await(KubeCluster cluster, Pod pod, Predicate<Pod> condition, String what) throws InterruptedException {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        long deadline = System.nanoTime() + POD_TIMEOUT.toNanos();
        while (true) {
            Pod p = cluster.client().pods().inNamespace(ns).withName(name).get();
            if (p != null && condition.test(p)) {
                return p;
            }
            if (System.nanoTime() > deadline) {
                fail("pod " + ns + "/" + name + " not " + what + " within " + POD_TIMEOUT.toSeconds() + " s\n" + cluster.describe(ns, name));
            }
            Thread.sleep(200);
        }
    }

    private static void connect(KubeCluster cluster, String host, int port, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 2000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(500);
            }
        }
        fail(what + " (" + host + ":" + port + ") does not accept connections: " + last + "\n" + cluster.logs());
    }

    /** The image's tag, from the archive's manifest.json. */
    private static String tagOf(Path image) throws Exception {
        String manifest = KubeCluster.Cmd.run(List.of("tar", "-xOf", image.toString(), "manifest.json"), Duration.ofMinutes(1));
        Matcher m = Pattern.compile("\"RepoTags\":\\[\"([^\"]+)\"").matcher(manifest);
        assertTrue(m.find(), "a tag in " + manifest);
        return m.group(1);
    }

    private static List<ProcessHandle> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
    }
}
