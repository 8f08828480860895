package io.longhorn.manager.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * The cluster's nodes and manager Pods, watched: whether a Kubernetes Node is ready (condition
 * {@code Ready} true), and whether a node's manager is available (the node is ready and a Pod
 * labelled {@code app=longhorn-manager} on it runs, is ready and is not being deleted). Listeners
 * hear of every change (ownership may move).
 */
public final class ClusterNodes implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterNodes.class);
    /** The label of the manager DaemonSet's Pods. */
    public static final Map<String, String> MANAGER_LABELS = Map.of("app", "longhorn-manager");

    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<Pod> managers;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public ClusterNodes(KubernetesClient client, String namespace) {
        this.nodes = client.nodes().inform(handler(), 0);
        this.managers = client.pods().inNamespace(namespace).withLabels(MANAGER_LABELS).inform(handler(), 0);
    }

    private <T> ResourceEventHandler<T> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed();
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                changed();
            }
        };
    }

    private void changed() {
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.warnf(e, "node listener failed");
            }
        }
    }

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    /** Whether the Kubernetes Node exists and is ready. */
    public boolean nodeReady(String name) {
        Node n = name == null || name.isEmpty() ? null : nodes.getStore().getByKey(name);
        return n != null && n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Whether the node is ready and its manager Pod runs and is ready. */
    public boolean managerAvailable(String node) {
        return nodeReady(node) && managers.getStore().list().stream().anyMatch(p -> node.equals(p.getSpec().getNodeName())
                && p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                && "Running".equals(p.getStatus().getPhase()) && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
                        && "True".equals(c.getStatus())));
    }

    /** The names of the Kubernetes Nodes. */
    public List<String> nodeNames() {
        return nodes.getStore().list().stream().map(n -> n.getMetadata().getName()).sorted().toList();
    }

    @Override
    public void close() {
        nodes.close();
        managers.close();
    }
}
