package io.longhorn.manager.controller.node;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.controller.runtime.Reconciler;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.DiskSpec;
import io.longhorn.manager.model.DiskStatus;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.NodeStatus;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps the status of this manager's own node: its disks' identity, capacity and scheduled
 * replicas, and the Ready, Schedulable and KernelModulesLoaded conditions. Other nodes are their own
 * managers' business.
 */
public final class NodeController implements Reconciler {
    public static final String NAME = "node";
    private static final Duration REFRESH = Duration.ofSeconds(30);

    private final ControllerContext ctx;
    private final Path sysModule;

    public NodeController(ControllerContext ctx) {
        this(ctx, Path.of("/sys/module"));
    }

    NodeController(ControllerContext ctx, Path sysModule) {
        this.ctx = ctx;
        this.sysModule = sysModule;
    }

    /** A condition's status, reason and message. */
    record ConditionValue(String status, String reason, String message) {
    }

    /**
     * KernelModulesLoaded: whether the kernel's NBD client ({@code nbd}) is loaded, which attaches
     * volumes as {@code /dev/nbdN}. Without it the CSI driver and the manager's block devices take
     * the userspace path (a FUSE file and a loop device): it works, and it is slower.
     */
    static ConditionValue kernelModules(Path sysModule) {
        if (Files.isDirectory(sysModule.resolve("nbd"))) {
            return new ConditionValue(Condition.TRUE, "", "");
        }
        return new ConditionValue(Condition.FALSE, "KernelModulesNotLoaded", "kernel module nbd is not loaded: "
                + "volumes attach through the userspace path (a FUSE file and a loop device), which is slower; "
                + "load it (modprobe nbd) and restart the CSI plugin on this node to attach through the kernel "
                + "NBD client");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> keys() {
        return List.of(ctx.nodeID());
    }

    @Override
    public Result reconcile(String name) {
        if (!name.equals(ctx.nodeID())) {
            return Result.DONE;
        }
        Optional<Node> found = ctx.store().get(Node.class, name);
        if (found.isEmpty()) {
            return Result.DONE;
        }
        Node node = found.get();
        Node copy = Resources.copy(node);
        NodeStatus status = copy.getStatus();
        List<Replica> replicas = ctx.store().list(Replica.class);
        Map<String, DiskStatus> disks = new LinkedHashMap<>();
        for (Map.Entry<String, DiskSpec> e : node.getSpec().disks.entrySet()) {
            disks.put(e.getKey(), disk(e.getKey(), e.getValue(), status.diskStatus.get(e.getKey()), replicas));
        }
        status.diskStatus = disks;
        Conditions.set(status.conditions, NodeStatus.CONDITION_READY, Condition.TRUE, "", "");
        boolean schedulable = node.getSpec().allowScheduling;
        Conditions.set(status.conditions, NodeStatus.CONDITION_SCHEDULABLE, schedulable ? Condition.TRUE : Condition.FALSE,
                schedulable ? "" : "KubernetesNodeCordoned", schedulable ? "" : "scheduling is disabled on the node");
        ConditionValue modules = kernelModules(sysModule);
        Conditions.set(status.conditions, NodeStatus.CONDITION_KERNEL_MODULES_LOADED, modules.status(),
                modules.reason(), modules.message());
        Writes.updateStatusIfChanged(ctx.store(), node, copy);
        return Result.after(REFRESH);
    }

    private DiskStatus disk(String diskName, DiskSpec spec, DiskStatus previous, List<Replica> replicas) {
        DiskStatus ds = previous == null ? new DiskStatus() : previous;
        ds.diskName = diskName;
        ds.diskPath = spec.path;
        ds.diskType = spec.diskType;
        try {
            DiskProbe.Probe p = DiskProbe.probe(diskName, Path.of(spec.path));
            ds.diskUUID = p.uuid();
            // Round to MiB: free space changes by bytes all the time and would rewrite the status.
            ds.storageMaximum = roundMiB(p.maximum());
            ds.storageAvailable = roundMiB(p.available());
            ds.filesystemType = p.fsType();
            Conditions.set(ds.conditions, DiskStatus.CONDITION_READY, Condition.TRUE, "", "");
        } catch (IOException | RuntimeException e) {
            Conditions.set(ds.conditions, DiskStatus.CONDITION_READY, Condition.FALSE, "DiskNotReady",
                    "disk " + diskName + " at " + spec.path + " is not usable: " + e.getMessage());
            ds.storageMaximum = 0;
            ds.storageAvailable = 0;
        }
        Map<String, Long> scheduled = new LinkedHashMap<>();
        for (Replica r : replicas) {
            if (!ds.diskUUID.isEmpty() && ds.diskUUID.equals(r.getSpec().diskID) && !Resources.isDeleting(r)) {
                scheduled.put(Resources.name(r), r.getSpec().volumeSize);
            }
        }
        ds.scheduledReplica = scheduled;
        ds.storageScheduled = scheduled.values().stream().mapToLong(Long::longValue).sum();
        long minimal = ds.storageMaximum * ctx.settings().integer(SettingNames.STORAGE_MINIMAL_AVAILABLE_PERCENTAGE) / 100;
        boolean ok = Conditions.isTrue(ds.conditions, DiskStatus.CONDITION_READY) && spec.allowScheduling
                && ds.storageAvailable > minimal;
        Conditions.set(ds.conditions, DiskStatus.CONDITION_SCHEDULABLE, ok ? Condition.TRUE : Condition.FALSE,
                ok ? "" : "DiskPressure", ok ? "" : "disk " + diskName + " has less than the minimal available space"
                        + " or scheduling is disabled on it");
        return ds;
    }

    private static long roundMiB(long bytes) {
        return bytes / (1 << 20) * (1 << 20);
    }
}
