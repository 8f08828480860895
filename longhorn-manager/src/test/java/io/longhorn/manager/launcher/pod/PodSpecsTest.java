package io.longhorn.manager.launcher.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.model.InstanceState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodSpecsTest {
    static final PodLauncherOptions OPTIONS = PodLauncherOptions.from(k -> Optional.empty(), "longhorn-system",
            "1.2.3", "node-1");

    @Test
    void defaultImagesAreTheBuildsTags() {
        assertEquals("longhorn-java/longhorn-engine:1.2.3", OPTIONS.engineImage());
        assertEquals("longhorn-java/longhorn-replica:1.2.3", OPTIONS.replicaImage());
        PodLauncherOptions set = PodLauncherOptions.from(k -> k.equals("longhorn.image.replica")
                ? Optional.of("reg/r:9") : Optional.empty(), "ns", "1.2.3", "n");
        assertEquals("reg/r:9", set.replicaImage());
        assertEquals("longhorn-java/longhorn-engine:1.2.3", set.engineImage());
    }

    @Test
    void aReplicaPodRunsOnItsNodeWithItsDataInAHostPath() {
        Pod pod = PodSpecs.pod(InstanceRequest.replica("vol1-r-1", "vol1", "node-2", 1 << 26,
                "/var/lib/longhorn/replicas/vol1-0a1b"), "uid-1", OPTIONS);
        assertEquals("vol1-r-1", pod.getMetadata().getName());
        assertEquals("longhorn-system", pod.getMetadata().getNamespace());
        assertEquals("node-2", pod.getSpec().getNodeName());
        assertEquals("Never", pod.getSpec().getRestartPolicy());
        assertEquals(Map.of("longhorn.io/managed-by", "longhorn-manager", "longhorn.io/component", "replica",
                "longhorn.io/node", "node-2", "longhornvolume", "vol1", "longhornreplica", "vol1"),
                pod.getMetadata().getLabels());
        var owner = pod.getMetadata().getOwnerReferences().getFirst();
        assertEquals(List.of("longhorn.io/v1beta2", "Replica", "vol1-r-1", "uid-1", true, true), List.of(
                owner.getApiVersion(), owner.getKind(), owner.getName(), owner.getUid(), owner.getController(),
                owner.getBlockOwnerDeletion()));
        var c = pod.getSpec().getContainers().getFirst();
        assertEquals("longhorn-java/longhorn-replica:1.2.3", c.getImage());
        assertTrue(c.getSecurityContext().getPrivileged());
        assertEquals(List.of("--listen", "$(POD_IP):10000", "--data-listen", "$(POD_IP):10001", "--size",
                Long.toString(1 << 26), "--secret-file", "/var/run/longhorn/volume-secret/secret", "/volume"),
                c.getArgs());
        // $(POD_IP) is the Pod's own address, expanded by the kubelet from the downward API.
        assertEquals("status.podIP", c.getEnv().stream().filter(e -> e.getName().equals("POD_IP")).findFirst().orElseThrow()
                .getValueFrom().getFieldRef().getFieldPath());
        assertEquals("/volume", c.getVolumeMounts().getFirst().getMountPath());
        var hostPath = pod.getSpec().getVolumes().getFirst().getHostPath();
        assertEquals("/var/lib/longhorn/replicas/vol1-0a1b", hostPath.getPath());
        assertEquals("DirectoryOrCreate", hostPath.getType());
        assertEquals(10000, c.getReadinessProbe().getTcpSocket().getPort().getIntVal());
    }

    @Test
    void anEnginePodNamesItsReplicasAndFrontend() {
        Pod pod = PodSpecs.pod(InstanceRequest.engine("vol1-e-0", "vol1", "node-1", 1 << 26,
                List.of("tcp://198.18.0.5:10001", "tcp://198.18.0.6:10001"), "nbd", 0, false), "uid-2", OPTIONS);
        var c = pod.getSpec().getContainers().getFirst();
        assertEquals("longhorn-java/longhorn-engine:1.2.3", c.getImage());
        assertEquals(List.of("controller", "--listen", "$(POD_IP):10010", "--frontend", "nbd", "--secret-file",
                "/var/run/longhorn/volume-secret/secret", "--nbd-listen", "none", "--nbd-socket",
                "/var/lib/longhorn/engine-sockets/vol1.sock", "--replica",
                "tcp://198.18.0.5:10001", "--replica", "tcp://198.18.0.6:10001", "vol1"), c.getArgs());
        assertEquals("Engine", pod.getMetadata().getOwnerReferences().getFirst().getKind());
        assertEquals("engine", pod.getMetadata().getLabels().get("longhorn.io/component"));
        assertEquals(2, pod.getSpec().getVolumes().size(), "the volume secret and the NBD socket directory");
        var sockets = pod.getSpec().getVolumes().stream().filter(v -> v.getHostPath() != null).findFirst().orElseThrow();
        assertEquals("/var/lib/longhorn/engine-sockets", sockets.getHostPath().getPath());
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(sockets.getName())
                && m.getMountPath().equals("/var/lib/longhorn/engine-sockets")), "mounted at the node's path");
        assertTrue(c.getPorts().stream().noneMatch(p -> p.getName().equals("nbd")), "no NBD port on the Pod network");
        assertTrue(c.getSecurityContext().getPrivileged());
    }

    @Test
    void anEnginePodCarriesTheStartRuleAndServesNbdForABlockdevVolume() {
        Pod pod = PodSpecs.pod(InstanceRequest.engine("vol1-e-0", "vol1", "node-1", 1 << 26,
                List.of("tcp://198.18.0.5:10001"), "blockdev", 7, true).withReplicaTimeout(17), "uid-3", OPTIONS);
        assertEquals(List.of("controller", "--listen", "$(POD_IP):10010", "--frontend", "nbd", "--secret-file",
                "/var/run/longhorn/volume-secret/secret", "--nbd-listen", "none", "--nbd-socket",
                "/var/lib/longhorn/engine-sockets/vol1.sock", "--replica-timeout", "17s", "--replica", "tcp://198.18.0.5:10001",
                "--min-generation", "7", "--salvage", "vol1"), pod.getSpec().getContainers().getFirst().getArgs());
    }

    @Test
    void engineAndReplicaPodsMountTheirVolumesSecretReadOnlyAndOwnerOnly() {
        for (Pod pod : List.of(
                PodSpecs.pod(InstanceRequest.engine("vol1-e-0", "vol1", "node-1", 1, List.of(), "nbd", 0, false), "u", OPTIONS),
                PodSpecs.pod(InstanceRequest.replica("vol1-r-1", "vol1", "node-2", 1, "/d/replicas/x"), "u", OPTIONS))) {
            var volume = pod.getSpec().getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
            assertEquals("longhorn-volume-secret-vol1", volume.getSecret().getSecretName());
            assertEquals(0400, volume.getSecret().getDefaultMode());
            var mount = pod.getSpec().getContainers().getFirst().getVolumeMounts().stream()
                    .filter(m -> m.getName().equals(volume.getName())).findFirst().orElseThrow();
            assertTrue(mount.getReadOnly());
            List<String> args = pod.getSpec().getContainers().getFirst().getArgs();
            assertEquals(mount.getMountPath() + "/secret", args.get(args.indexOf("--secret-file") + 1));
        }
    }

    @Test
    void badRequestsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PodSpecs.pod(InstanceRequest.replica("r", "v", "", 1,
                "/d/replicas/x"), "u", OPTIONS));
        assertThrows(IllegalArgumentException.class, () -> PodSpecs.pod(InstanceRequest.replica("r", "v", "n", 1,
                "relative/replicas/x"), "u", OPTIONS));
    }

    @Test
    void statesFollowThePod() {
        Pod engine = PodSpecs.pod(InstanceRequest.engine("vol1-e-0", "vol1", "node-1", 1, List.of(), "nbd", 0, false), "u",
                OPTIONS);
        assertEquals(InstanceState.STARTING, PodStates.info(engine).state());
        Pod running = new PodBuilder(engine).withNewStatus().withPhase("Running").withPodIP("10.1.2.3")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build()).endStatus().build();
        InstanceInfo info = PodStates.info(running);
        assertEquals(InstanceState.RUNNING, info.state());
        assertEquals("10.1.2.3:10010", info.controlAddress());
        assertEquals("nbd+unix:///vol1?socket=/var/lib/longhorn/engine-sockets/vol1.sock", info.endpoint());
        Pod notReady = new PodBuilder(running).editStatus().withConditions(new PodConditionBuilder().withType("Ready")
                .withStatus("False").build()).endStatus().build();
        assertEquals(InstanceState.STARTING, PodStates.info(notReady).state());
        Pod failed = new PodBuilder(engine).withNewStatus().withPhase("Failed").withContainerStatuses(
                new ContainerStatusBuilder().withName("engine").withState(new ContainerStateBuilder().withNewTerminated()
                        .withExitCode(3).withReason("Error").withMessage("replica unreachable\n").endTerminated().build())
                        .build()).endStatus().build();
        assertEquals(InstanceState.ERROR, PodStates.info(failed).state());
        assertEquals("pod vol1-e-0 failed: exit code 3, Error: replica unreachable", PodStates.info(failed).error());
        Pod deleting = new PodBuilder(running).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata()
                .build();
        assertEquals(InstanceState.STOPPING, PodStates.info(deleting).state());
        Pod replica = new PodBuilder(PodSpecs.pod(InstanceRequest.replica("r1", "vol1", "node-1", 1,
                "/var/lib/longhorn/replicas/r1"), "u", OPTIONS)).withNewStatus().withPhase("Running").withPodIP("fd00::5")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build()).endStatus().build();
        assertEquals("[fd00::5]:10000", PodStates.info(replica).controlAddress());
        assertEquals("tcp://[fd00::5]:10001", PodStates.info(replica).dataAddress());
    }
}
