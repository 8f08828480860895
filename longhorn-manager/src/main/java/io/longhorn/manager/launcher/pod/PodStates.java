package io.longhorn.manager.launcher.pod;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceKind;
import io.longhorn.manager.model.InstanceState;
import java.util.List;
import java.util.Optional;

/**
 * An instance's state read from its Pod (pure).
 *
 * <ul>
 *   <li>Being deleted: {@code stopping}.</li>
 *   <li>Phase {@code Failed} or {@code Succeeded}: the instance died, {@code error}, with the
 *   container's reason, exit code and message.</li>
 *   <li>Phase {@code Running}, an IP and condition {@code Ready}: {@code running}, at the Pod IP and
 *   the instance's ports.</li>
 *   <li>Anything else (pending, pulling, not ready yet): {@code starting}.</li>
 * </ul>
 */
public final class PodStates {
    private PodStates() {
    }

    public static InstanceInfo info(Pod pod) {
        String name = pod.getMetadata().getName();
        InstanceKind kind = "engine".equals(pod.getMetadata().getLabels().get(PodSpecs.LABEL_COMPONENT))
                ? InstanceKind.ENGINE : InstanceKind.REPLICA;
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return new InstanceInfo(name, kind, InstanceState.STOPPING, "", "", "", "");
        }
        var status = pod.getStatus();
        String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            return new InstanceInfo(name, kind, InstanceState.ERROR, "", "", "", died(pod, phase));
        }
        String ip = status == null || status.getPodIP() == null ? "" : status.getPodIP();
        if ("Running".equals(phase) && !ip.isEmpty() && ready(status.getConditions())) {
            String host = ip.contains(":") ? "[" + ip + "]" : ip;
            if (kind == InstanceKind.REPLICA) {
                return new InstanceInfo(name, kind, InstanceState.RUNNING, host + ":" + PodSpecs.REPLICA_CONTROL_PORT,
                        "tcp://" + host + ":" + PodSpecs.REPLICA_DATA_PORT, "", "");
            }
            String volume = pod.getMetadata().getLabels().getOrDefault(io.longhorn.manager.model.Longhorn.LABEL_VOLUME, "");
            boolean nbd = pod.getSpec().getContainers().getFirst().getArgs().contains("--nbd-socket");
            return new InstanceInfo(name, kind, InstanceState.RUNNING, host + ":" + PodSpecs.ENGINE_CONTROL_PORT, "",
                    nbd ? PodSpecs.engineEndpoint(volume) : "", "");
        }
        return new InstanceInfo(name, kind, InstanceState.STARTING, "", "", "", "");
    }

    private static boolean ready(List<PodCondition> conditions) {
        return conditions != null && conditions.stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String died(Pod pod, String phase) {
        String name = pod.getMetadata().getName();
        StringBuilder why = new StringBuilder("pod ").append(name).append(' ').append(phase.toLowerCase());
        Optional<ContainerStatus> cs = Optional.ofNullable(pod.getStatus().getContainerStatuses())
                .flatMap(l -> l.stream().findFirst());
        cs.map(ContainerStatus::getState).map(s -> s.getTerminated()).ifPresent(t -> {
            why.append(": exit code ").append(t.getExitCode());
            if (t.getReason() != null) {
                why.append(", ").append(t.getReason());
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                why.append(": ").append(t.getMessage().strip());
            }
        });
        if (cs.isEmpty() && pod.getStatus().getReason() != null) {
            why.append(": ").append(pod.getStatus().getReason());
            if (pod.getStatus().getMessage() != null) {
                why.append(": ").append(pod.getStatus().getMessage());
            }
        }
        return why.toString();
    }
}
