package io.longhorn.manager.launcher.pod;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.longhorn.manager.cluster.ClusterNodes;
import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceKind;
import io.longhorn.manager.launcher.InstanceLauncher;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.manager.model.Replica;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Engines and replicas as Pods ({@link PodSpecs}). The launcher watches the instance Pods of its
 * namespace (one informer) and answers {@link #inspect} from that cache ({@link PodStates}); every
 * change of a Pod is reported to the listeners with the instance's name.
 *
 * <ul>
 *   <li>{@code start} creates the Pod, owned by the Engine or Replica resource of the same name. A
 *   Pod that is still there is left alone, except a dead one, which is deleted first (the instance
 *   reports {@code stopping} until it is gone, then the next {@code start} creates it again).</li>
 *   <li>{@code stop} deletes the Pod (with its grace period: the kubelet stops the container).</li>
 *   <li>A Pod that ends ({@code Failed}) or disappears without {@code stop}, or whose node is not
 *   ready (Kubernetes Node condition), is an instance that died: {@code error}, until the next
 *   {@code start} or {@code stop}.</li>
 *   <li>{@code deleteReplicaData} removes the directory when the replica's node is this manager's
 *   node (the manager Pod mounts {@code /var/lib/longhorn} of its host at the same path).</li>
 * </ul>
 * A manager that restarts finds its Pods again through the informer's first list.
 */
public final class PodInstanceLauncher implements InstanceLauncher, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PodInstanceLauncher.class);

    private final KubernetesClient client;
    private final PodLauncherOptions options;
    private final SharedIndexInformer<Pod> informer;
    private final ClusterNodes nodes;
    private final KubernetesVolumeSecrets secrets;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    /** Instances whose Pod went away (or could not be created) without a stop: why. */
    private final Map<String, InstanceInfo> lost = new ConcurrentHashMap<>();
    /** Instances asked to stop whose Pod may still be seen. */
    private final Set<String> stopping = ConcurrentHashMap.newKeySet();

    public PodInstanceLauncher(KubernetesClient client, PodLauncherOptions options) {
        this.client = client;
        this.options = options;
        this.nodes = new ClusterNodes(client, options.namespace());
        this.secrets = new KubernetesVolumeSecrets(client, options.namespace());
        this.informer = client.pods().inNamespace(options.namespace()).withLabels(PodSpecs.selector())
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        notifyListeners(pod.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(Pod oldPod, Pod pod) {
                        notifyListeners(pod.getMetadata().getName());
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        String name = pod.getMetadata().getName();
                        if (stopping.remove(name)) {
                            lost.remove(name);
                        } else {
                            InstanceInfo last = PodStates.info(pod);
                            String why = InstanceState.ERROR.equals(last.state()) ? last.error()
                                    : "pod " + name + " was deleted";
                            lost.put(name, new InstanceInfo(name, last.kind(), InstanceState.ERROR, "", "", "", why));
                            LOG.warnf("instance %s died: %s", name, why);
                        }
                        notifyListeners(name);
                    }
                }, 0);
        // A node that goes down or comes back changes the state of every instance on it.
        nodes.addListener(() -> informer.getStore().list().forEach(p -> notifyListeners(p.getMetadata().getName())));
        try {
            // The backup service's Pod mounts this Secret: make it before anyone needs the service.
            backupServiceSecret();
        } catch (RuntimeException e) {
            LOG.warnf("cannot make the Secret %s yet (the backup service starts once it exists): %s",
                    KubernetesVolumeSecrets.BACKUP_SERVICE_SECRET, e.getMessage());
        }
        LOG.infof("instances run as pods in namespace %s: engine image %s, replica image %s", options.namespace(),
                options.engineImage(), options.replicaImage());
    }

    @Override
    public void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public Optional<InstanceInfo> inspect(String name) {
        Pod pod = cached(name);
        if (pod != null) {
            InstanceInfo info = PodStates.info(pod);
            String node = pod.getSpec().getNodeName();
            if (!InstanceState.ERROR.equals(info.state()) && !nodes.nodeReady(node)) {
                // Its kubelet no longer reports: whatever the Pod last said, the instance is gone.
                return Optional.of(new InstanceInfo(name, info.kind(), InstanceState.ERROR, "", "", "",
                        "node " + node + " is down (Kubernetes node not ready)"));
            }
            return Optional.of(info);
        }
        return Optional.ofNullable(lost.get(name));
    }

    @Override
    public synchronized InstanceInfo start(InstanceRequest request) {
        String name = request.name();
        Pod existing = cached(name);
        if (existing != null) {
            InstanceInfo info = PodStates.info(existing);
            if (InstanceState.ERROR.equals(info.state())) {
                deletePod(name);
                return new InstanceInfo(name, request.kind(), InstanceState.STOPPING, "", "", "", "");
            }
            return info;
        }
        stopping.remove(name);
        lost.remove(name);
        try {
            // The Pod mounts the volume's Secret: it must exist first.
            secrets.secretFor(request.volumeName());
            Pod pod = PodSpecs.pod(request, ownerUid(request), options);
            client.pods().inNamespace(options.namespace()).resource(pod).create();
            LOG.infof("%s %s of volume %s: pod created on node %s", kindName(request.kind()), name,
                    request.volumeName(), request.nodeID());
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                return failed(request, e.getStatus() != null && e.getStatus().getMessage() != null
                        ? e.getStatus().getMessage() : e.getMessage());
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            return failed(request, e.getMessage());
        }
        return new InstanceInfo(name, request.kind(), InstanceState.STARTING, "", "", "", "");
    }

    private InstanceInfo failed(InstanceRequest request, String why) {
        String error = "cannot create the pod of " + kindName(request.kind()) + " " + request.name() + ": " + why;
        LOG.warn(error);
        InstanceInfo info = new InstanceInfo(request.name(), request.kind(), InstanceState.ERROR, "", "", "", error);
        lost.put(request.name(), info);
        notifyListeners(request.name());
        return info;
    }

    private String ownerUid(InstanceRequest request) {
        Class<? extends HasMetadata> kind = request.kind() == InstanceKind.ENGINE ? Engine.class : Replica.class;
        HasMetadata owner = client.resources(kind).inNamespace(options.namespace()).withName(request.name()).get();
        if (owner == null) {
            throw new IllegalStateException(kindName(request.kind()) + " resource " + request.name() + " not found");
        }
        return owner.getMetadata().getUid();
    }

    @Override
    public synchronized void stop(String name) {
        lost.remove(name);
        // Also when the cache has not seen it yet: a Pod created just before must not stay.
        deletePod(name);
        notifyListeners(name);
    }

    private void deletePod(String name) {
        stopping.add(name);
        try {
            client.pods().inNamespace(options.namespace()).withName(name).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                throw e;
            }
        }
    }

    @Override
    public void deleteReplicaData(String nodeID, String replicaDirectory) {
        Path dir = Path.of(replicaDirectory);
        // Only ever remove a replica directory: a wrong path must not take anything else with it.
        if (dir.getParent() == null || !"replicas".equals(dir.getParent().getFileName().toString())) {
            LOG.warnf("refusing to delete %s: not a replica directory", dir);
            return;
        }
        if (!nodeID.equals(options.nodeName())) {
            LOG.warnf("replica data %s is on node %s, not this node %s: its manager removes it", dir, nodeID,
                    options.nodeName());
            return;
        }
        try (Stream<Path> walk = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            LOG.infof("removed replica data %s", dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove replica data " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The backup service's secret: the Secret {@value KubernetesVolumeSecrets#BACKUP_SERVICE_SECRET}, made when missing. */
    public VolumeSecret backupServiceSecret() {
        return secrets.serviceSecret(KubernetesVolumeSecrets.BACKUP_SERVICE_SECRET);
    }

    /** The cluster's nodes and managers as this launcher sees them. */
    public ClusterNodes clusterNodes() {
        return nodes;
    }

    @Override
    public VolumeSecret secretForAddress(String controlAddress) {
        String address = controlAddress.startsWith("tcp://") ? controlAddress.substring("tcp://".length()) : controlAddress;
        for (Pod pod : informer.getStore().list()) {
            InstanceInfo info = PodStates.info(pod);
            if (InstanceState.RUNNING.equals(info.state()) && info.controlAddress().equals(address)) {
                String volume = pod.getMetadata().getLabels().get(Longhorn.LABEL_VOLUME);
                if (volume == null) {
                    return null;
                }
                try {
                    return secrets.secretFor(volume);
                } catch (RuntimeException e) {
                    // The call goes unsigned and the instance refuses it, with a clear error.
                    LOG.warnf("no secret of volume %s for calls to %s: %s", volume, address, e.getMessage());
                    return null;
                }
            }
        }
        return null;
    }

    @Override
    public void deleteVolumeSecret(String volumeName) {
        secrets.delete(volumeName);
    }

    private Pod cached(String name) {
        return informer.getStore().getByKey(options.namespace() + "/" + name);
    }

    private static String kindName(InstanceKind kind) {
        return kind == InstanceKind.ENGINE ? "engine" : "replica";
    }

    private void notifyListeners(String name) {
        for (Consumer<String> l : listeners) {
            try {
                l.accept(name);
            } catch (RuntimeException e) {
                LOG.warnf(e, "instance listener failed for %s", name);
            }
        }
    }

    @Override
    public void close() {
        informer.close();
        nodes.close();
    }
}
