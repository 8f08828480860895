package io.longhorn.manager.testing.kube;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Plays the kubelet's part in a control plane that has none: writes a Pod's status (running with
 * an IP and ready, or failed with an exit code) through the status subresource, completes the
 * deletion of Pods that are terminating, and writes Node objects with their Ready condition.
 */
public final class PodStatusWriter {
    private final KubernetesClient client;
    private final String namespace;

    public PodStatusWriter(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    public void running(String pod, String ip) {
        retryingConflicts(() -> runningOnce(pod, ip));
    }

    private void runningOnce(String pod, String ip) {
        Pod p = client.pods().inNamespace(namespace).withName(pod).get();
        client.pods().inNamespace(namespace).resource(new PodBuilder(p).withNewStatus().withPhase("Running")
                .withPodIP(ip).withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build())
                .endStatus().build()).updateStatus();
    }

    public void failed(String pod, int exitCode, String message) {
        retryingConflicts(() -> failedOnce(pod, exitCode, message));
    }

    private void failedOnce(String pod, int exitCode, String message) {
        Pod p = client.pods().inNamespace(namespace).withName(pod).get();
        String container = p.getSpec().getContainers().getFirst().getName();
        client.pods().inNamespace(namespace).resource(new PodBuilder(p).withNewStatus().withPhase("Failed")
                .withContainerStatuses(new ContainerStatusBuilder().withName(container).withImage("i").withImageID("")
                        .withReady(false).withRestartCount(0).withState(new ContainerStateBuilder().withNewTerminated()
                                .withExitCode(exitCode).withReason("Error").withMessage(message).endTerminated().build())
                        .build())
                .endStatus().build()).updateStatus();
    }

    /** Removes the Pods whose deletion waits for a kubelet (their containers "stopped"). */
    public int completeDeletions() {
        int n = 0;
        for (Pod p : client.pods().inNamespace(namespace).list().getItems()) {
            if (p.getMetadata().getDeletionTimestamp() != null) {
                client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).withGracePeriod(0).delete();
                n++;
            }
        }
        return n;
    }

    /** Creates or updates the Node with its Ready condition. */
    public void node(String name, boolean ready) {
        retryingConflicts(() -> nodeOnce(name, ready));
    }

    /** The controller manager also writes Nodes and Pods: a write over a stale version is read again and redone. */
    private static void retryingConflicts(Runnable write) {
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    private void nodeOnce(String name, boolean ready) {
        var existing = client.nodes().withName(name).get();
        if (existing == null) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
            existing = client.nodes().withName(name).get();
        }
        client.nodes().resource(new NodeBuilder(existing).withNewStatus().withConditions(new NodeConditionBuilder()
                .withType("Ready").withStatus(ready ? "True" : "False").withReason(ready ? "KubeletReady" : "KubeletDown")
                .build()).endStatus().build()).updateStatus();
    }
}
