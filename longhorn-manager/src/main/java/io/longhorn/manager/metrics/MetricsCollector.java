package io.longhorn.manager.metrics;

import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupState;
import io.longhorn.manager.model.Conditions;
import io.longhorn.manager.model.DiskSpec;
import io.longhorn.manager.model.DiskStatus;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.NodeStatus;
import io.longhorn.manager.model.RebuildStatus;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeRobustness;
import io.longhorn.manager.model.VolumeState;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Collects the metrics from the store. State and robustness are numbers as upstream encodes them:
 * state 1 creating, 2 attached, 3 detached, 4 attaching, 5 detaching, 6 deleting; robustness
 * 0 unknown, 1 healthy, 2 degraded, 3 faulted; backup state 0 new, 1 pending, 2 in progress,
 * 3 completed, 4 error, 5 unknown.
 *
 * <p>I/O metrics (IOPS, throughput in bytes per second, mean latency in nanoseconds) come from
 * {@link VolumeIoRates}, the rates between the last two readings of the engine's counters; like
 * upstream, every volume has them, 0 when it has no running engine (detached) or no rates yet.
 * They are rounded to whole numbers, as upstream reports them.
 */
public final class MetricsCollector {
    private final ResourceStore store;
    private final VolumeIoRates ioRates;

    public MetricsCollector(ResourceStore store, VolumeIoRates ioRates) {
        this.store = store;
        this.ioRates = ioRates;
    }

    public String collect() {
        PrometheusText t = new PrometheusText();
        List<Volume> volumes = store.list(Volume.class);
        volumes(t, volumes);
        io(t, volumes);
        nodes(t, store.list(Node.class));
        backups(t, store.list(Backup.class));
        rebuilds(t, store.list(Engine.class));
        return t.toString();
    }

    private static void volumes(PrometheusText t, List<Volume> volumes) {
        t.family("longhorn_volume_capacity_bytes", "gauge", "Configured size in bytes of this volume");
        volumes.forEach(v -> t.sample(labels(v), v.getSpec().size));
        t.family("longhorn_volume_actual_size_bytes", "gauge", "Actual space used by each replica of the volume on the corresponding node");
        volumes.forEach(v -> t.sample(labels(v), v.getStatus().actualSize));
        t.family("longhorn_volume_state", "gauge", "State of this volume: 1=creating, 2=attached, 3=detached, 4=attaching, 5=detaching, 6=deleting");
        volumes.forEach(v -> t.sample(labels(v), state(v)));
        t.family("longhorn_volume_robustness", "gauge", "Robustness of this volume: 0=unknown, 1=healthy, 2=degraded, 3=faulted");
        volumes.forEach(v -> t.sample(labels(v), robustness(v.getStatus().robustness)));
    }

    private void io(PrometheusText t, List<Volume> volumes) {
        Map<String, IoRates> rates = new LinkedHashMap<>();
        volumes.forEach(v -> rates.put(Resources.name(v), ioRates.of(Resources.name(v))));
        ioFamily(t, volumes, rates, "longhorn_volume_read_throughput",
                "Read throughput of this volume in bytes per second", IoRates::readThroughput);
        ioFamily(t, volumes, rates, "longhorn_volume_write_throughput",
                "Write throughput of this volume in bytes per second", IoRates::writeThroughput);
        ioFamily(t, volumes, rates, "longhorn_volume_read_iops", "Read IOPS of this volume", IoRates::readIops);
        ioFamily(t, volumes, rates, "longhorn_volume_write_iops", "Write IOPS of this volume", IoRates::writeIops);
        ioFamily(t, volumes, rates, "longhorn_volume_read_latency",
                "Mean read latency of this volume in nanoseconds", IoRates::readLatencyNanos);
        ioFamily(t, volumes, rates, "longhorn_volume_write_latency",
                "Mean write latency of this volume in nanoseconds", IoRates::writeLatencyNanos);
        t.family("longhorn_volume_auth_refusals_total", "counter",
                "Control calls refused by the engine of this volume, and data connections and control calls refused by its"
                        + " replicas on this node, since they started, for not proving the volume's secret");
        volumes.forEach(v -> t.sample(labels(v), ioRates.authRefusals(Resources.name(v))));
        t.family("longhorn_backup_service_auth_refusals_total", "counter",
                "Calls the backup service refused since it started for not proving its secret (read at each backup target poll)");
        t.sample(Map.of(), ioRates.backupServiceAuthRefusals());
    }

    private static void ioFamily(PrometheusText t, List<Volume> volumes, Map<String, IoRates> rates, String name,
                                 String help, ToDoubleFunction<IoRates> value) {
        t.family(name, "gauge", help);
        volumes.forEach(v -> t.sample(labels(v), Math.round(value.applyAsDouble(rates.get(Resources.name(v))))));
    }

    private static Map<String, String> labels(Volume v) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("volume", Resources.name(v));
        l.put("node", v.getStatus().currentNodeID);
        l.put("pvc", "");
        l.put("pvc_namespace", "");
        return l;
    }

    private static int state(Volume v) {
        return switch (Resources.isDeleting(v) ? VolumeState.DELETING : v.getStatus().state) {
            case VolumeState.CREATING -> 1;
            case VolumeState.ATTACHED -> 2;
            case VolumeState.DETACHED -> 3;
            case VolumeState.ATTACHING -> 4;
            case VolumeState.DETACHING -> 5;
            case VolumeState.DELETING -> 6;
            default -> 0;
        };
    }

    private static int robustness(String r) {
        return switch (r) {
            case VolumeRobustness.HEALTHY -> 1;
            case VolumeRobustness.DEGRADED -> 2;
            case VolumeRobustness.FAULTED -> 3;
            default -> 0;
        };
    }

    private static void nodes(PrometheusText t, List<Node> nodes) {
        t.family("longhorn_node_count_total", "gauge", "Total number of nodes");
        t.sample(Map.of(), nodes.size());
        t.family("longhorn_node_status", "gauge", "Status of this node: 1 when the condition holds");
        for (Node n : nodes) {
            for (String c : List.of(NodeStatus.CONDITION_READY, NodeStatus.CONDITION_SCHEDULABLE)) {
                t.sample(Map.of("node", Resources.name(n), "condition", c.toLowerCase(), "condition_reason", ""),
                        Conditions.isTrue(n.getStatus().conditions, c) ? 1 : 0);
            }
        }
        t.family("longhorn_node_storage_capacity_bytes", "gauge", "The storage capacity of this node");
        nodes.forEach(n -> t.sample(Map.of("node", Resources.name(n)),
                n.getStatus().diskStatus.values().stream().mapToLong(d -> d.storageMaximum).sum()));
        t.family("longhorn_node_storage_usage_bytes", "gauge", "The used storage of this node");
        nodes.forEach(n -> t.sample(Map.of("node", Resources.name(n)),
                n.getStatus().diskStatus.values().stream().mapToLong(d -> d.storageMaximum - d.storageAvailable).sum()));
        t.family("longhorn_disk_capacity_bytes", "gauge", "The storage capacity of this disk");
        forDisks(nodes, (labels, spec, ds) -> t.sample(labels, ds.storageMaximum));
        t.family("longhorn_disk_usage_bytes", "gauge", "The used storage of this disk");
        forDisks(nodes, (labels, spec, ds) -> t.sample(labels, ds.storageMaximum - ds.storageAvailable));
        t.family("longhorn_disk_reservation_bytes", "gauge", "The reserved storage for other applications and system on this disk");
        forDisks(nodes, (labels, spec, ds) -> t.sample(labels, spec.storageReserved));
    }

    private interface DiskSample {
        void accept(Map<String, String> labels, DiskSpec spec, DiskStatus status);
    }

    private static void forDisks(List<Node> nodes, DiskSample sample) {
        for (Node n : nodes) {
            for (Map.Entry<String, DiskSpec> e : n.getSpec().disks.entrySet()) {
                DiskStatus ds = n.getStatus().diskStatus.getOrDefault(e.getKey(), new DiskStatus());
                sample.accept(Map.of("node", Resources.name(n), "disk", e.getKey()), e.getValue(), ds);
            }
        }
    }

    private static void backups(PrometheusText t, List<Backup> backups) {
        t.family("longhorn_backup_state", "gauge", "State of this backup: 0=New, 1=Pending, 2=InProgress, 3=Completed, 4=Error, 5=Unknown");
        for (Backup b : backups) {
            t.sample(backupLabels(b), switch (b.getStatus().state) {
                case BackupState.PENDING -> 1;
                case BackupState.IN_PROGRESS -> 2;
                case BackupState.COMPLETED -> 3;
                case BackupState.ERROR -> 4;
                case BackupState.UNKNOWN -> 5;
                default -> 0;
            });
        }
        t.family("longhorn_backup_actual_size_bytes", "gauge", "Actual size of this backup");
        backups.forEach(b -> t.sample(backupLabels(b), b.getStatus().size));
    }

    private static Map<String, String> backupLabels(Backup b) {
        return Map.of("backup", Resources.name(b), "volume",
                Resources.labels(b).getOrDefault(Longhorn.LABEL_BACKUP_VOLUME, ""));
    }

    private static void rebuilds(PrometheusText t, List<Engine> engines) {
        t.family("longhorn_engine_rebuild_progress", "gauge", "Rebuild progress of a replica, in percent");
        for (Engine e : engines) {
            for (Map.Entry<String, RebuildStatus> r : e.getStatus().rebuildStatus.entrySet()) {
                t.sample(Map.of("volume", e.getSpec().volumeName, "engine", Resources.name(e), "rebuild_src",
                        r.getValue().fromReplicaAddress, "rebuild_dst", r.getKey()), r.getValue().progress);
            }
        }
    }
}
