package io.longhorn.manager.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.launcher.pod.PodSpecs;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.testing.kube.PodStatusWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kubelet for the instance Pods, over the fake engines: a new Pod runs at once at the next IP
 * (its fake engine or replica answering at the Pod's address and ports), a Pod being deleted stops
 * and goes away, and {@link #fail} ends a Pod as a crashed container would.
 */
public final class FakeKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final FakeEngines engines;
    private final PodStatusWriter status;
    private final SharedIndexInformer<Pod> informer;
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final AtomicInteger ips = new AtomicInteger(10);
    /** Pod name to the IP it runs at. */
    private final Map<String, String> running = new ConcurrentHashMap<>();
    public final List<String> errors = new ArrayList<>();

    public FakeKubelet(KubernetesClient client, String namespace, FakeEngines engines) {
        this.client = client;
        this.namespace = namespace;
        this.engines = engines;
        this.status = new PodStatusWriter(client, namespace);
        this.informer = client.pods().inNamespace(namespace).withLabels(PodSpecs.selector()).inform(
                new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        worker.execute(() -> sync(pod.getMetadata().getName()));
                    }

                    @Override
                    public void onUpdate(Pod oldPod, Pod pod) {
                        worker.execute(() -> sync(pod.getMetadata().getName()));
                    }

                    @Override
                    public void onDelete(Pod pod, boolean unknown) {
                        worker.execute(() -> gone(pod));
                    }
                }, 0);
    }

    private void sync(String name) {
        try {
            Pod pod = client.pods().inNamespace(namespace).withName(name).get();
            if (pod == null) {
                return;
            }
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                gone(pod);
                client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
                return;
            }
            if (running.containsKey(name) || pod.getStatus() != null && pod.getStatus().getPhase() != null
                    && !"Pending".equals(pod.getStatus().getPhase())) {
                return;
            }
            String ip = "10.42.0." + ips.incrementAndGet();
            List<String> args = pod.getSpec().getContainers().getFirst().getArgs();
            String volume = pod.getMetadata().getLabels().get(Longhorn.LABEL_VOLUME);
            String node = pod.getSpec().getNodeName();
            if ("replica".equals(pod.getMetadata().getLabels().get(PodSpecs.LABEL_COMPONENT))) {
                long size = Long.parseLong(args.get(args.indexOf("--size") + 1));
                engines.replicaStarted("tcp://" + ip + ":" + PodSpecs.REPLICA_CONTROL_PORT,
                        InstanceRequest.replica(name, volume, node, size, PodSpecs.REPLICA_MOUNT));
            } else {
                List<String> replicas = new ArrayList<>();
                for (int i = 0; i < args.size(); i++) {
                    if (args.get(i).equals("--replica")) {
                        replicas.add(args.get(i + 1));
                    }
                }
                String frontend = args.get(args.indexOf("--frontend") + 1);
                engines.create(ip + ":" + PodSpecs.ENGINE_CONTROL_PORT, InstanceRequest.engine(name, volume, node, 0,
                        replicas, frontend, 0, false), "nbd".equals(frontend) ? PodSpecs.engineEndpoint(volume) : "");
            }
            running.put(name, ip);
            status.running(name, ip);
        } catch (KubernetesClientException | IllegalStateException e) {
            synchronized (errors) {
                errors.add(name + ": " + e.getMessage());
            }
        }
    }

    private void gone(Pod pod) {
        String ip = running.remove(pod.getMetadata().getName());
        if (ip == null) {
            return;
        }
        if ("replica".equals(pod.getMetadata().getLabels().get(PodSpecs.LABEL_COMPONENT))) {
            engines.replicaGone("tcp://" + ip + ":" + PodSpecs.REPLICA_CONTROL_PORT);
        } else {
            engines.remove(ip + ":" + PodSpecs.ENGINE_CONTROL_PORT);
        }
    }

    /** Ends the Pod's container with an exit code, as a crash would. */
    public void fail(String pod) {
        Pod p = client.pods().inNamespace(namespace).withName(pod).get();
        gone(p);
        status.failed(pod, 1, "crashed");
    }

    /** The Pods that run now. */
    public Map<String, String> running() {
        return Map.copyOf(running);
    }

    @Override
    public void close() {
        informer.close();
        worker.shutdownNow();
    }
}
