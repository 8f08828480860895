package io.longhorn.manager.launcher.pod;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.longhorn.manager.launcher.InstanceKind;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.model.Longhorn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Pod of an engine or replica instance (pure). The Pod is named as its resource, runs on the
 * instance's node ({@code nodeName}, no scheduler), never restarts (a Pod that ends is an instance
 * that died: the controllers decide what next), and is owned by its Engine or Replica so that the
 * garbage collector removes it with the resource.
 *
 * <p>Each Pod has its own IP, so the ports are fixed: a replica serves control on
 * {@value #REPLICA_CONTROL_PORT} and data on {@value #REPLICA_DATA_PORT}; an engine serves control
 * on {@value #ENGINE_CONTROL_PORT}. The image's entrypoint is
 * its service's launcher; the Pod gives the same arguments as the standalone {@code bin/} launchers.
 * A replica's data directory is the hostPath {@code replicaDirectory} (created when missing) mounted
 * at {@value #REPLICA_MOUNT}. The volume's Secret ({@link #secretName}) is mounted read-only at
 * {@value #SECRET_MOUNT} and named with {@code --secret-file}: engine and replicas prove it to each
 * other, and the manager's calls prove it to them.
 *
 * <p>The engine's NBD export (NBD has no authentication) is served only on a Unix socket,
 * {@value #ENGINE_SOCKET_DIR}{@code /<volume>.sock}, in a hostPath directory that only root on the
 * node can reach, at the same path in the engine's Pod, on the node and in the node's CSI plugin,
 * which connects the block device to it: no other Pod can reach the export. Its control API and the
 * replicas' ports require the volume's secret.
 */
public final class PodSpecs {
    public static final int REPLICA_CONTROL_PORT = 10000;
    public static final int REPLICA_DATA_PORT = 10001;
    public static final int ENGINE_CONTROL_PORT = 10010;
    /** The node directory of the engines' NBD sockets (mode 0700, created by the kubelet when missing). */
    public static final String ENGINE_SOCKET_DIR = "/var/lib/longhorn/engine-sockets";
    public static final String REPLICA_MOUNT = "/volume";
    public static final String SECRET_MOUNT = "/var/run/longhorn/volume-secret";
    /** The secret file inside the Pod. */
    public static final String SECRET_FILE = SECRET_MOUNT + "/" + KubernetesVolumeSecrets.KEY;

    /** {@code engine} or {@code replica}. */
    public static final String LABEL_COMPONENT = "longhorn.io/component";
    /** The node the instance runs on. */
    public static final String LABEL_NODE = "longhorn.io/node";
    public static final String LABEL_MANAGED_BY = "longhorn.io/managed-by";
    public static final String MANAGED_BY = "longhorn-manager";
    /** The v0.3 label on replica Pods naming their volume. */
    public static final String LABEL_REPLICA_VOLUME = "longhornreplica";

    private PodSpecs() {
    }

    /** The name of the Secret holding a volume's secret. */
    public static String secretName(String volume) {
        return "longhorn-volume-secret-" + volume;
    }

    /** The Unix socket a volume's engine serves its NBD export on, the same path on the node and in its Pods. */
    public static String engineSocket(String volume) {
        return ENGINE_SOCKET_DIR + "/" + volume + ".sock";
    }

    /** The NBD endpoint of an engine serving {@link #engineSocket}, as the engine reports it. */
    public static String engineEndpoint(String volume) {
        return "nbd+unix:///" + volume + "?socket=" + engineSocket(volume);
    }

    /**
     * Whether the engine serves NBD: frontend {@code nbd}, and {@code blockdev}, whose block device
     * over the export the node's CSI plugin makes.
     */
    private static boolean servesNbd(InstanceRequest req) {
        return "nbd".equals(req.frontend()) || "blockdev".equals(req.frontend());
    }

    /** The labels every instance Pod carries; the launcher watches the Pods that have them. */
    public static Map<String, String> selector() {
        return Map.of(LABEL_MANAGED_BY, MANAGED_BY);
    }

    /** The Pod for the request, owned by the resource of {@code ownerUid}. */
    public static Pod pod(InstanceRequest req, String ownerUid, PodLauncherOptions options) {
        boolean replica = req.kind() == InstanceKind.REPLICA;
        if (req.nodeID().isBlank()) {
            throw new IllegalArgumentException("instance " + req.name() + " has no node");
        }
        if (replica && !req.replicaDirectory().startsWith("/")) {
            throw new IllegalArgumentException("replica " + req.name() + ": data directory must be absolute: \""
                    + req.replicaDirectory() + "\"");
        }
        Map<String, String> labels = new LinkedHashMap<>(selector());
        labels.put(LABEL_COMPONENT, replica ? "replica" : "engine");
        labels.put(LABEL_NODE, req.nodeID());
        labels.put(Longhorn.LABEL_VOLUME, req.volumeName());
        if (replica) {
            labels.put(LABEL_REPLICA_VOLUME, req.volumeName());
        }
        OwnerReference owner = new OwnerReferenceBuilder().withApiVersion(Longhorn.GROUP + "/" + Longhorn.VERSION)
                .withKind(replica ? "Replica" : "Engine").withName(req.name()).withUid(ownerUid)
                .withController(true).withBlockOwnerDeletion(true).build();
        int control = replica ? REPLICA_CONTROL_PORT : ENGINE_CONTROL_PORT;
        ContainerBuilder container = new ContainerBuilder()
                .withName(replica ? "replica" : "engine")
                .withImage(replica ? options.replicaImage() : options.engineImage())
                .withImagePullPolicy(options.pullPolicy())
                .withArgs(args(req))
                .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
                .endFieldRef().endValueFrom().endEnv()
                .withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .withNewReadinessProbe().withNewTcpSocket().withNewPort(control).endTcpSocket()
                .withPeriodSeconds(1).withFailureThreshold(3).endReadinessProbe()
                .addNewPort().withName("control").withContainerPort(control).endPort();
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(req.name()).withNamespace(options.namespace())
                .withLabels(labels).withOwnerReferences(owner).endMetadata();
        var spec = pod.withNewSpec().withNodeName(req.nodeID()).withRestartPolicy("Never")
                .withServiceAccountName(options.serviceAccount()).withTerminationGracePeriodSeconds(10L)
                // Run on a node whatever its taints: the instance belongs where its data or attachment is.
                .addNewToleration().withOperator("Exists").endToleration();
        if (replica) {
            container.addNewPort().withName("data").withContainerPort(REPLICA_DATA_PORT).endPort()
                    .addToVolumeMounts(new VolumeMountBuilder().withName("data").withMountPath(REPLICA_MOUNT).build());
            spec.addToVolumes(new VolumeBuilder().withName("data").withNewHostPath().withPath(req.replicaDirectory())
                    .withType("DirectoryOrCreate").endHostPath().build());
        } else if (servesNbd(req)) {
            container.addToVolumeMounts(new VolumeMountBuilder().withName("nbd-sockets").withMountPath(ENGINE_SOCKET_DIR)
                    .build());
            spec.addToVolumes(new VolumeBuilder().withName("nbd-sockets").withNewHostPath().withPath(ENGINE_SOCKET_DIR)
                    .withType("DirectoryOrCreate").endHostPath().build());
        }
        container.addToVolumeMounts(new VolumeMountBuilder().withName("volume-secret").withMountPath(SECRET_MOUNT)
                .withReadOnly(true).build());
        spec.addToVolumes(new VolumeBuilder().withName("volume-secret").withNewSecret()
                .withSecretName(secretName(req.volumeName())).withDefaultMode(0400).endSecret().build());
        return spec.withContainers(container.build()).endSpec().build();
    }

    /**
     * The address the instance listens on: the Pod's IP, from the downward API (the kubelet expands
     * it in the arguments), so the addresses the engine and replica report are the ones to dial.
     */
    static final String POD_ADDRESS = "$(POD_IP)";

    /** The container's arguments: those of the service's launcher, listening on the Pod's address. */
    static List<String> args(InstanceRequest req) {
        List<String> args = new ArrayList<>();
        if (req.kind() == InstanceKind.REPLICA) {
            args.addAll(List.of("--listen", POD_ADDRESS + ":" + REPLICA_CONTROL_PORT, "--data-listen",
                    POD_ADDRESS + ":" + REPLICA_DATA_PORT, "--size", Long.toString(req.size()), "--secret-file", SECRET_FILE,
                    REPLICA_MOUNT));
        } else {
            args.addAll(List.of("controller", "--listen", POD_ADDRESS + ":" + ENGINE_CONTROL_PORT, "--frontend",
                    servesNbd(req) ? "nbd" : req.frontend(), "--secret-file", SECRET_FILE));
            if (servesNbd(req)) {
                args.addAll(List.of("--nbd-listen", "none", "--nbd-socket", engineSocket(req.volumeName())));
            }
            if (req.replicaTimeoutSeconds() > 0) {
                args.addAll(List.of("--replica-timeout", req.replicaTimeoutSeconds() + "s"));
            }
            for (String r : req.replicaAddresses()) {
                args.addAll(List.of("--replica", r));
            }
            if (req.minGeneration() > 0) {
                args.addAll(List.of("--min-generation", Long.toString(req.minGeneration())));
            }
            if (req.salvage()) {
                args.add("--salvage");
            }
            args.add(req.volumeName());
        }
        return args;
    }
}
