package io.longhorn.manager.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.longhorn.manager.controller.runtime.ControllerRuntime;
import io.longhorn.manager.controller.volume.VolumeController;
import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.launcher.pod.PodInstanceLauncher;
import io.longhorn.manager.launcher.pod.PodLauncherOptions;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.NodeStatus;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.kubernetes.KubernetesResourceStore;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import io.longhorn.manager.testing.kube.KubeControlPlaneExtension;
import io.longhorn.manager.testing.kube.PodStatusWriter;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ownership between two managers (nodes node-1 and node-2) over a real API server: the preferred
 * node's manager handles a resource, another takes it over (writing itself as owner) when that
 * node goes NotReady or its manager Pod is not ready; a node that goes down is marked not ready
 * and the instances on it are dead.
 */
class ClusterOwnershipIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = Longhorn.NAMESPACE;

    @RegisterExtension
    static final KubeControlPlaneExtension KUBE = new KubeControlPlaneExtension(true);

    @Test
    void ownershipMovesWhenANodeOrItsManagerGoesAway() throws Exception {
        KubeControlPlane cp = KUBE.get();
        cp.applyCrds(KubeControlPlane.longhornCrds());
        KubernetesClient c = cp.client();
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        c.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("longhorn-service-account").endMetadata().build()).create();
        PodStatusWriter kubelet = new PodStatusWriter(c, NS);
        for (String n : new String[] {"node-1", "node-2"}) {
            kubelet.node(n, true);
            c.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("longhorn-manager-" + n)
                    .withLabels(ClusterNodes.MANAGER_LABELS).endMetadata().withNewSpec().withNodeName(n).withServiceAccountName("longhorn-service-account")
                    .addNewContainer().withName("longhorn-manager").withImage("longhorn-java/longhorn-manager:test")
                    .endContainer().endSpec().build()).create();
            kubelet.running("longhorn-manager-" + n, n.equals("node-1") ? "10.42.1.1" : "10.42.2.1");
        }
        KubernetesResourceStore store = new KubernetesResourceStore(c, NS);
        for (String n : new String[] {"node-1", "node-2"}) {
            Node node = store.create(Resources.create(Node.class, n));
            Conditions.set(node.getStatus().conditions, NodeStatus.CONDITION_READY, Condition.TRUE, "", "");
            store.updateStatus(node);
        }
        ControllerRuntime runtime = new ControllerRuntime(Duration.ofMinutes(5));
        try (ClusterNodes nodes = new ClusterNodes(c, NS);
             PodInstanceLauncher launcher = new PodInstanceLauncher(c, PodLauncherOptions.from(k -> Optional.empty(), NS,
                     "0.1.0", "node-1"))) {
            await().atMost(WAIT).until(() -> nodes.managerAvailable("node-1") && nodes.managerAvailable("node-2"));
            OwnershipGate one = new OwnershipGate(store, nodes, "node-1");
            OwnershipGate two = new OwnershipGate(store, nodes, "node-2");
            one.install(runtime);

            // Attached to node-2: node-2's manager handles it and writes itself as owner.
            Volume attached = Resources.create(Volume.class, "vol1");
            attached.getSpec().size = 1L << 26;
            attached.getSpec().nodeID = "node-2";
            store.create(attached);
            assertFalse(one.handles(VolumeController.NAME, "vol1"));
            assertTrue(two.handles(VolumeController.NAME, "vol1"));
            assertEquals("node-2", store.get(Volume.class, "vol1").orElseThrow().getStatus().ownerID);
            assertFalse(one.handles(VolumeController.NAME, "vol1"));

            // Detached, nobody's yet: the first manager to look takes it; the other lets go.
            Volume detached = Resources.create(Volume.class, "vol2");
            detached.getSpec().size = 1L << 26;
            store.create(detached);
            assertTrue(one.handles(VolumeController.NAME, "vol2"));
            assertEquals("node-1", store.get(Volume.class, "vol2").orElseThrow().getStatus().ownerID);
            assertFalse(two.handles(VolumeController.NAME, "vol2"));

            // A replica Pod running on node-2.
            Replica replica = Resources.create(Replica.class, "vol1-r-1");
            replica.getSpec().nodeID = "node-2";
            store.create(replica);
            launcher.start(InstanceRequest.replica("vol1-r-1", "vol1", "node-2", 1L << 26,
                    "/var/lib/longhorn/replicas/vol1-1"));
            await().atMost(WAIT).until(() -> c.pods().inNamespace(NS).withName("vol1-r-1").get() != null);
            kubelet.running("vol1-r-1", "10.42.2.7");
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-r-1").map(InstanceInfo::state)
                    .equals(Optional.of(InstanceState.RUNNING)));
            assertFalse(one.handles("replica", "vol1-r-1"));

            // node-2 goes NotReady: its replica is dead, its Longhorn Node not ready, node-1 takes its resources.
            kubelet.node("node-2", false);
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-r-1").map(InstanceInfo::state)
                    .equals(Optional.of(InstanceState.ERROR)));
            assertEquals("node node-2 is down (Kubernetes node not ready)", launcher.inspect("vol1-r-1").orElseThrow().error());
            await().atMost(WAIT).untilAsserted(() -> {
                Node down = store.get(Node.class, "node-2").orElseThrow();
                assertFalse(Conditions.isTrue(down.getStatus().conditions, NodeStatus.CONDITION_READY));
                assertEquals(OwnershipGate.REASON_NODE_NOT_READY, Conditions.find(down.getStatus().conditions,
                        NodeStatus.CONDITION_READY).orElseThrow().reason);
            });
            assertTrue(Conditions.isTrue(store.get(Node.class, "node-1").orElseThrow().getStatus().conditions,
                    NodeStatus.CONDITION_READY));
            await().atMost(WAIT).until(() -> one.handles(VolumeController.NAME, "vol1"));
            assertEquals("node-1", store.get(Volume.class, "vol1").orElseThrow().getStatus().ownerID);
            assertTrue(one.handles("replica", "vol1-r-1"));
            assertEquals("node-1", store.get(Replica.class, "vol1-r-1").orElseThrow().getStatus().ownerID);

            // node-2 is back, but node-1's manager Pod is not ready: node-2 takes what node-1 owned.
            kubelet.node("node-2", true);
            await().atMost(WAIT).until(() -> launcher.inspect("vol1-r-1").map(InstanceInfo::state)
                    .equals(Optional.of(InstanceState.RUNNING)));
            assertTrue(two.handles(VolumeController.NAME, "vol1"), "the preferred node again");
            kubelet.failed("longhorn-manager-node-1", 137, "killed");
            await().atMost(WAIT).until(() -> !nodes.managerAvailable("node-1"));
            assertTrue(two.handles(VolumeController.NAME, "vol2"));
            assertEquals("node-2", store.get(Volume.class, "vol2").orElseThrow().getStatus().ownerID);
        } finally {
            runtime.close();
        }
    }
}
