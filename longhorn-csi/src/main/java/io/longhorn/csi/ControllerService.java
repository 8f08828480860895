package io.longhorn.csi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.longhorn.api.types.Names;
import io.longhorn.csi.v1.ControllerExpandVolumeRequest;
import io.longhorn.csi.v1.ControllerExpandVolumeResponse;
import io.longhorn.csi.v1.ControllerGetCapabilitiesRequest;
import io.longhorn.csi.v1.ControllerGetCapabilitiesResponse;
import io.longhorn.csi.v1.ControllerGetVolumeRequest;
import io.longhorn.csi.v1.ControllerGetVolumeResponse;
import io.longhorn.csi.v1.ControllerGrpc;
import io.longhorn.csi.v1.ControllerPublishVolumeRequest;
import io.longhorn.csi.v1.ControllerPublishVolumeResponse;
import io.longhorn.csi.v1.ControllerServiceCapability;
import io.longhorn.csi.v1.ControllerUnpublishVolumeRequest;
import io.longhorn.csi.v1.ControllerUnpublishVolumeResponse;
import io.longhorn.csi.v1.CreateSnapshotRequest;
import io.longhorn.csi.v1.CreateSnapshotResponse;
import io.longhorn.csi.v1.CreateVolumeRequest;
import io.longhorn.csi.v1.CreateVolumeResponse;
import io.longhorn.csi.v1.DeleteSnapshotRequest;
import io.longhorn.csi.v1.DeleteSnapshotResponse;
import io.longhorn.csi.v1.DeleteVolumeRequest;
import io.longhorn.csi.v1.DeleteVolumeResponse;
import io.longhorn.csi.v1.GetCapacityRequest;
import io.longhorn.csi.v1.GetCapacityResponse;
import io.longhorn.csi.v1.ListSnapshotsRequest;
import io.longhorn.csi.v1.ListSnapshotsResponse;
import io.longhorn.csi.v1.ListVolumesRequest;
import io.longhorn.csi.v1.ListVolumesResponse;
import io.longhorn.csi.v1.Snapshot;
import io.longhorn.csi.v1.ValidateVolumeCapabilitiesRequest;
import io.longhorn.csi.v1.ValidateVolumeCapabilitiesResponse;
import io.longhorn.csi.v1.Volume;
import io.longhorn.csi.v1.VolumeCapability;
import io.longhorn.csi.v1.VolumeContentSource;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CSI Controller service, through the manager's {@code /v1} API: volumes (create, delete,
 * attach to a node, expand), snapshots kept in the volume ({@code snap://}) or backed up to the
 * backup target ({@code bak://}), restore and clone, capacity and listings.
 *
 * <p>A volume made from a {@code snap://} snapshot, and a clone of a volume, are created with the
 * manager's {@code dataSource} ({@code snap://<volume>/<snapshot>}, {@code vol://<volume>}): the
 * manager copies the snapshot (for a clone, one it takes and removes afterwards) replica to replica,
 * with no backup target. The driver waits for the copy as for a restore from a {@code bak://} backup
 * ({@code fromBackup}).
 */
public class ControllerService implements ControllerGrpc.AsyncService {
    /** Label the manager puts on the snapshot it takes of a volume to clone it (not a user's snapshot). */
    static final String LABEL_CLONE_FOR = "longhorn.io/clone-for";
    static final Duration RESTORE_WAIT = Duration.ofMinutes(10);
    static final Set<String> SNAPSHOT_PARAMETERS = Set.of("type");

    private static final List<ControllerServiceCapability.RPC.Type> CAPABILITIES = List.of(
            ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME,
            ControllerServiceCapability.RPC.Type.PUBLISH_UNPUBLISH_VOLUME,
            ControllerServiceCapability.RPC.Type.LIST_VOLUMES,
            ControllerServiceCapability.RPC.Type.GET_CAPACITY,
            ControllerServiceCapability.RPC.Type.CREATE_DELETE_SNAPSHOT,
            ControllerServiceCapability.RPC.Type.LIST_SNAPSHOTS,
            ControllerServiceCapability.RPC.Type.CLONE_VOLUME,
            ControllerServiceCapability.RPC.Type.EXPAND_VOLUME,
            ControllerServiceCapability.RPC.Type.VOLUME_CONDITION,
            ControllerServiceCapability.RPC.Type.GET_VOLUME);

    private final ManagerClient manager;
    private final LonghornVolumes volumes;
    private final VolumeLocks locks = new VolumeLocks(120);

    public ControllerService(ManagerClient manager) {
        this.manager = manager;
        this.volumes = new LonghornVolumes(manager);
    }

    // ---- volumes

    @Override
    public void createVolume(CreateVolumeRequest req, StreamObserver<CreateVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String csiName = Errors.require("name", req.getName());
            Capabilities.requireServed("volume_capabilities", req.getVolumeCapabilitiesList());
            VolumeParameters params = VolumeParameters.parse(req.getParametersMap());
            String fsType = fsType(req.getVolumeCapabilitiesList(), params.fsType());
            long size = VolumeParameters.size(req.getCapacityRange().getRequiredBytes(),
                    req.getCapacityRange().getLimitBytes());
            if (fsType.equals("xfs") && size < VolumeParameters.MIN_XFS_SIZE
                    && req.getVolumeCapabilitiesList().stream().anyMatch(VolumeCapability::hasMount)) {
                throw Errors.outOfRange("capacity_range: an xfs volume needs at least "
                        + VolumeParameters.MIN_XFS_SIZE + " bytes");
            }
            String name = VolumeParameters.volumeName(csiName);
            Source source = source(req);
            return locks.with(name, () -> {
                Optional<JsonNode> existing = manager.volume(name);
                if (existing.isPresent()) {
                    long has = LonghornVolumes.size(existing.get());
                    if (has != size) {
                        throw Errors.alreadyExists("volume " + name + " exists with " + has + " bytes, not " + size);
                    }
                    return response(name, size, req, fsType);
                }
                create(name, size, params, source);
                return response(name, size, req, fsType);
            });
        });
    }

    private static String fsType(List<VolumeCapability> caps, String fromParameters) {
        for (VolumeCapability c : caps) {
            if (c.hasMount() && !c.getMount().getFsType().isEmpty()) {
                return c.getMount().getFsType().toLowerCase(java.util.Locale.ROOT);
            }
        }
        return fromParameters;
    }

    private static CreateVolumeResponse response(String name, long size, CreateVolumeRequest req, String fsType) {
        Map<String, String> context = new HashMap<>(req.getParametersMap());
        context.put("fsType", fsType);
        Volume.Builder v = Volume.newBuilder().setVolumeId(name).setCapacityBytes(size).putAllVolumeContext(context);
        if (req.hasVolumeContentSource()) {
            v.setContentSource(req.getVolumeContentSource());
        }
        return CreateVolumeResponse.newBuilder().setVolume(v).build();
    }

    /** Where a new volume's data comes from. */
    private record Source(Handles snapshot, String volume) {
    }

    private Source source(CreateVolumeRequest req) {
        if (!req.hasVolumeContentSource()) {
            return new Source(null, null);
        }
        VolumeContentSource s = req.getVolumeContentSource();
        return switch (s.getTypeCase()) {
            case SNAPSHOT -> {
                String id = Errors.require("volume_content_source.snapshot.snapshot_id", s.getSnapshot().getSnapshotId());
                try {
                    yield new Source(Handles.parse(id), null);
                } catch (IllegalArgumentException e) {
                    throw Errors.notFound("snapshot " + id + " not found: " + e.getMessage());
                }
            }
            case VOLUME -> new Source(null, Errors.require("volume_content_source.volume.volume_id",
                    s.getVolume().getVolumeId()));
            default -> throw Errors.invalid("volume_content_source", "snapshot or volume is required");
        };
    }

    private void create(String name, long size, VolumeParameters params, Source source) {
        String fromBackup = params.fromBackup();
        String dataSource = null;
        if (source.snapshot() != null) {
            Handles h = source.snapshot();
            if (h.kind() == Handles.Kind.BAK) {
                fromBackup = backup(h.volume(), h.name()).orElseThrow(() -> Errors.notFound("backup " + h.id()
                        + " not found")).path("url").asText();
            } else {
                JsonNode src = manager.volume(h.volume()).orElseThrow(() -> Errors.notFound("snapshot " + h.id()
                        + " not found: no volume " + h.volume()));
                if (snapshot(h.volume(), h.name()).isEmpty()) {
                    throw Errors.notFound("snapshot " + h.id() + " not found");
                }
                if (LonghornVolumes.size(src) != size) {
                    throw Errors.outOfRange("capacity_range: a volume made from snapshot " + h.id()
                            + " has the size of its volume, " + LonghornVolumes.size(src) + " bytes, not " + size);
                }
                dataSource = "snap://" + h.volume() + "/" + h.name();
            }
        } else if (source.volume() != null) {
            String srcName = source.volume();
            JsonNode src = manager.volume(srcName).orElseThrow(() -> Errors.notFound("source volume " + srcName
                    + " not found"));
            if (LonghornVolumes.size(src) != size) {
                throw Errors.outOfRange("capacity_range: a clone has its source's size, " + LonghornVolumes.size(src)
                        + " bytes, not " + size);
            }
            dataSource = "vol://" + srcName;
        }
        ObjectNode body = ManagerClient.object().put("name", name).put("size", Long.toString(size))
                .put("frontend", ManagerClient.NBD_FRONTEND);
        if (params.numberOfReplicas() != null) {
            body.put("numberOfReplicas", params.numberOfReplicas());
        }
        if (params.staleReplicaTimeout() != null) {
            body.put("staleReplicaTimeout", params.staleReplicaTimeout());
        }
        if (params.dataLocality() != null) {
            body.put("dataLocality", params.dataLocality());
        }
        if (fromBackup != null && !fromBackup.isEmpty()) {
            body.put("fromBackup", fromBackup);
        }
        if (dataSource != null) {
            body.put("dataSource", dataSource);
        }
        if (!params.diskSelector().isEmpty()) {
            params.diskSelector().forEach(body.putArray("diskSelector")::add);
        }
        if (!params.nodeSelector().isEmpty()) {
            params.nodeSelector().forEach(body.putArray("nodeSelector")::add);
        }
        try {
            manager.createVolume(body);
        } catch (ManagerClient.ApiException e) {
            if (e.status() == 400) {
                throw Errors.invalid("parameters", e.getMessage());
            }
            throw e;
        }
        try {
            Waits.until("volume " + name + " to be created", LonghornVolumes.WAIT, () -> {
                JsonNode v = volumes.require(name);
                String s = LonghornVolumes.state(v);
                Optional<String> unplaceable = LonghornVolumes.schedulingFailure(v);
                if (s.equals("creating") && unplaceable.isPresent()) {
                    // No disk can take its replicas (selectors, space, anti-affinity): say so now,
                    // as the provisioner's event on the PVC, rather than hand out a volume that
                    // cannot attach. The volume is removed below; the provisioner tries again.
                    throw Status.RESOURCE_EXHAUSTED.withDescription("volume " + name + " cannot be placed: "
                            + unplaceable.get()).asRuntimeException();
                }
                return s.isEmpty() || s.equals("creating") ? Optional.empty() : Optional.of(v);
            });
            for (VolumeParameters.RecurringJobRef job : params.recurringJobSelector()) {
                manager.action(name, "recurringJobAdd", ManagerClient.object().put("name", job.name())
                        .put("isGroup", job.isGroup()));
            }
            if (dataSource != null) {
                // The manager copies the source's snapshot into the new volume's replicas.
                Waits.until("volume " + name + " to be filled from " + dataSource, RESTORE_WAIT, () -> {
                    JsonNode v = volumes.require(name);
                    return LonghornVolumes.restoring(v) ? Optional.empty() : Optional.of(v);
                });
            }
        } catch (RuntimeException e) {
            // Leave nothing half made: the next CreateVolume starts afresh (and must not find
            // this volume still being deleted).
            try {
                manager.deleteVolume(name);
                Waits.until("volume " + name + " to be deleted", LonghornVolumes.WAIT, () ->
                        manager.volume(name).isEmpty() ? Optional.of(true) : Optional.empty());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Backs up a snapshot (the engine must run) and waits until the backup completed. */
    private JsonNode backupOf(String volume, String snapshot) {
        if (backupOfSnapshot(volume, snapshot).isEmpty()) {
            manager.action(volume, "snapshotBackup", ManagerClient.object().put("name", snapshot));
        }
        JsonNode done = Waits.until("the backup of snapshot " + snapshot + " of " + volume, LonghornVolumes.WAIT, () ->
                backupOfSnapshot(volume, snapshot).filter(b -> {
                    String s = b.path("state").asText();
                    return s.equals("Completed") || s.equals("Error");
                }));
        if (done.path("state").asText().equals("Error")) {
            manager.deleteBackup(volume, done.path("name").asText());
            throw Errors.internal("the backup of snapshot " + snapshot + " of " + volume + " failed: "
                    + done.path("error").asText());
        }
        return done;
    }

    private Optional<JsonNode> backupOfSnapshot(String volume, String snapshot) {
        return manager.backups(volume).stream().filter(b -> snapshot.equals(b.path("snapshotName").asText())).findFirst();
    }

    private Optional<JsonNode> backup(String volume, String name) {
        return manager.backups(volume).stream().filter(b -> name.equals(b.path("name").asText())).findFirst();
    }

    private Optional<JsonNode> snapshot(String volume, String name) {
        try {
            return manager.snapshots(volume).stream().filter(s -> name.equals(s.path("name").asText())
                    && !s.path("removed").asBoolean()).findFirst();
        } catch (ManagerClient.ApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void deleteVolume(DeleteVolumeRequest req, StreamObserver<DeleteVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            return locks.with(name, () -> {
                Optional<JsonNode> v = manager.volume(name);
                if (v.isEmpty()) {
                    return DeleteVolumeResponse.getDefaultInstance();
                }
                String node = LonghornVolumes.publishedNode(v.get());
                if (!node.isEmpty()) {
                    throw Errors.failedPrecondition("volume " + name + " is still published to node " + node);
                }
                JsonNode settled = volumes.settled(name);
                if ("attached".equals(LonghornVolumes.state(settled))) {
                    // Only the driver's own short attachment can be left here (a snapshot interrupted).
                    manager.action(name, "detach", ManagerClient.object());
                    volumes.awaitDetached(name);
                }
                manager.deleteVolume(name);
                Waits.until("volume " + name + " to be deleted", LonghornVolumes.WAIT, () ->
                        manager.volume(name).isEmpty() ? Optional.of(true) : Optional.empty());
                return DeleteVolumeResponse.getDefaultInstance();
            });
        });
    }

    @Override
    public void controllerPublishVolume(ControllerPublishVolumeRequest req,
                                        StreamObserver<ControllerPublishVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            String node = Errors.require("node_id", req.getNodeId());
            if (!req.hasVolumeCapability()) {
                throw Errors.required("volume_capability");
            }
            Capabilities.validate("volume_capability", req.getVolumeCapability());
            return locks.with(name, () -> {
                JsonNode v = volumes.require(name);
                if (manager.node(node).isEmpty()) {
                    throw Errors.notFound("node " + node + " not found");
                }
                Capabilities.unsupported(req.getVolumeCapability()).ifPresent(why -> {
                    throw Errors.invalid("volume_capability", why);
                });
                if (LonghornVolumes.restoring(v)) {
                    throw Errors.aborted("volume " + name + " is not ready for workloads: it is restoring from "
                            + LonghornVolumes.filledFrom(v));
                }
                // A volume still attaching from an earlier call that ran out of time is waited on
                // below, not settled first: its attach goes on across calls.
                if (!"attaching".equals(LonghornVolumes.state(v))) {
                    v = volumes.settled(name);
                }
                String current = v.path("currentNodeID").asText("");
                if ("attached".equals(LonghornVolumes.state(v))) {
                    if (v.path("disableFrontend").asBoolean()) {
                        throw Errors.aborted("volume " + name + " is attached for a snapshot or backup: try again");
                    }
                    if (!current.equals(node)) {
                        throw Errors.failedPrecondition("volume " + name + " is published to node " + current
                                + ": it can be used on one node at a time");
                    }
                    return ControllerPublishVolumeResponse.getDefaultInstance();
                }
                manager.action(name, "attach", ManagerClient.object().put("hostId", node).put("disableFrontend", false)
                        .put("attachedBy", LonghornVolumes.CSI_ATTACHER));
                try {
                    volumes.awaitAttached(name, node, true);
                } catch (RuntimeException e) {
                    JsonNode now = manager.volume(name).orElse(ManagerClient.object());
                    if (stillAttaching(e, now)) {
                        // Its replicas and engine are still starting (a busy node): detaching now
                        // would throw that progress away, and every retry would start over. The
                        // attach goes on; the retry of this call waits for it again.
                        throw Errors.deadline("volume " + name + " is still attaching to node " + node
                                + " (robustness " + now.path("robustness").asText() + LonghornVolumes.unscheduled(now)
                                + "): " + e.getMessage());
                    }
                    try {
                        manager.action(name, "detach", ManagerClient.object().put("hostId", node));
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw Errors.internal("volume " + name + " did not become ready on node " + node + " (state "
                            + LonghornVolumes.state(now) + ", robustness " + now.path("robustness").asText()
                            + LonghornVolumes.unscheduled(now) + "): " + e.getMessage());
                }
                return ControllerPublishVolumeResponse.getDefaultInstance();
            });
        });
    }

    /** A wait that ran out of time on a volume that is still on its way to attached (not faulted). */
    static boolean stillAttaching(RuntimeException e, JsonNode now) {
        return e instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED
                && "attaching".equals(LonghornVolumes.state(now)) && !"faulted".equals(now.path("robustness").asText());
    }

    @Override
    public void controllerUnpublishVolume(ControllerUnpublishVolumeRequest req,
                                          StreamObserver<ControllerUnpublishVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            String node = req.getNodeId();
            return locks.with(name, () -> {
                Optional<JsonNode> v = manager.volume(name);
                if (v.isEmpty()) {
                    return ControllerUnpublishVolumeResponse.getDefaultInstance();
                }
                JsonNode settled = volumes.settled(name);
                String current = settled.path("currentNodeID").asText("");
                boolean attached = "attached".equals(LonghornVolumes.state(settled));
                if (!attached || settled.path("disableFrontend").asBoolean()
                        || (!node.isEmpty() && !current.isEmpty() && !current.equals(node))) {
                    return ControllerUnpublishVolumeResponse.getDefaultInstance();
                }
                ObjectNode body = ManagerClient.object().put("forceDetach", node.isEmpty());
                if (!node.isEmpty()) {
                    body.put("hostId", node);
                }
                manager.action(name, "detach", body);
                volumes.awaitDetached(name);
                return ControllerUnpublishVolumeResponse.getDefaultInstance();
            });
        });
    }

    @Override
    public void validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest req,
                                           StreamObserver<ValidateVolumeCapabilitiesResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            if (req.getVolumeCapabilitiesCount() == 0) {
                throw Errors.required("volume_capabilities");
            }
            for (int i = 0; i < req.getVolumeCapabilitiesCount(); i++) {
                Capabilities.validate("volume_capabilities[" + i + "]", req.getVolumeCapabilities(i));
            }
            volumes.require(name);
            for (VolumeCapability c : req.getVolumeCapabilitiesList()) {
                Optional<String> why = Capabilities.unsupported(c);
                if (why.isPresent()) {
                    return ValidateVolumeCapabilitiesResponse.newBuilder().setMessage(why.get()).build();
                }
            }
            return ValidateVolumeCapabilitiesResponse.newBuilder().setConfirmed(
                    ValidateVolumeCapabilitiesResponse.Confirmed.newBuilder()
                            .putAllVolumeContext(req.getVolumeContextMap())
                            .addAllVolumeCapabilities(req.getVolumeCapabilitiesList())
                            .putAllParameters(req.getParametersMap())).build();
        });
    }

    @Override
    public void listVolumes(ListVolumesRequest req, StreamObserver<ListVolumesResponse> out) {
        Rpc.answer(out, () -> {
            List<JsonNode> all = new ArrayList<>(manager.volumes());
            all.sort(Comparator.comparing(v -> v.path("name").asText()));
            Page page = Page.of(req.getMaxEntries(), req.getStartingToken(), all.size());
            ListVolumesResponse.Builder b = ListVolumesResponse.newBuilder();
            for (JsonNode v : all.subList(page.from(), page.to())) {
                ListVolumesResponse.VolumeStatus.Builder st = ListVolumesResponse.VolumeStatus.newBuilder()
                        .setVolumeCondition(LonghornVolumes.condition(v));
                String node = LonghornVolumes.publishedNode(v);
                if (!node.isEmpty()) {
                    st.addPublishedNodeIds(node);
                }
                b.addEntries(ListVolumesResponse.Entry.newBuilder().setVolume(volume(v)).setStatus(st));
            }
            return b.setNextToken(page.next()).build();
        });
    }

    private static Volume volume(JsonNode v) {
        return Volume.newBuilder().setVolumeId(v.path("name").asText()).setCapacityBytes(LonghornVolumes.size(v)).build();
    }

    @Override
    public void controllerGetVolume(ControllerGetVolumeRequest req, StreamObserver<ControllerGetVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            JsonNode v = volumes.require(name);
            ControllerGetVolumeResponse.VolumeStatus.Builder st = ControllerGetVolumeResponse.VolumeStatus.newBuilder()
                    .setVolumeCondition(LonghornVolumes.condition(v));
            String node = LonghornVolumes.publishedNode(v);
            if (!node.isEmpty()) {
                st.addPublishedNodeIds(node);
            }
            return ControllerGetVolumeResponse.newBuilder().setVolume(volume(v)).setStatus(st).build();
        });
    }

    @Override
    public void getCapacity(GetCapacityRequest req, StreamObserver<GetCapacityResponse> out) {
        Rpc.answer(out, () -> {
            for (int i = 0; i < req.getVolumeCapabilitiesCount(); i++) {
                Capabilities.validate("volume_capabilities[" + i + "]", req.getVolumeCapabilities(i));
                if (Capabilities.unsupported(req.getVolumeCapabilities(i)).isPresent()) {
                    return GetCapacityResponse.getDefaultInstance();
                }
            }
            VolumeParameters.parse(req.getParametersMap());
            long available = 0;
            long largest = 0;
            for (JsonNode n : manager.nodes()) {
                if (!n.path("allowScheduling").asBoolean(true)) {
                    continue;
                }
                for (JsonNode d : n.path("disks")) {
                    if (!d.path("allowScheduling").asBoolean(true)) {
                        continue;
                    }
                    long free = Math.max(0, d.path("storageAvailable").asLong() - d.path("storageReserved").asLong());
                    available += free;
                    largest = Math.max(largest, free);
                }
            }
            return GetCapacityResponse.newBuilder().setAvailableCapacity(available)
                    .setMaximumVolumeSize(Int64Value.of(largest))
                    .setMinimumVolumeSize(Int64Value.of(VolumeParameters.MIN_SIZE)).build();
        });
    }

    @Override
    public void controllerGetCapabilities(ControllerGetCapabilitiesRequest req,
                                          StreamObserver<ControllerGetCapabilitiesResponse> out) {
        Rpc.answer(out, () -> {
            ControllerGetCapabilitiesResponse.Builder b = ControllerGetCapabilitiesResponse.newBuilder();
            for (ControllerServiceCapability.RPC.Type t : CAPABILITIES) {
                b.addCapabilities(ControllerServiceCapability.newBuilder()
                        .setRpc(ControllerServiceCapability.RPC.newBuilder().setType(t)));
            }
            return b.build();
        });
    }

    @Override
    public void controllerExpandVolume(ControllerExpandVolumeRequest req,
                                       StreamObserver<ControllerExpandVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            if (!req.hasCapacityRange()) {
                throw Errors.required("capacity_range");
            }
            long size = VolumeParameters.size(req.getCapacityRange().getRequiredBytes(),
                    req.getCapacityRange().getLimitBytes());
            boolean block = req.hasVolumeCapability() && req.getVolumeCapability().hasBlock();
            return locks.with(name, () -> {
                JsonNode v = volumes.require(name);
                if (LonghornVolumes.restoring(v)) {
                    throw Errors.failedPrecondition("volume " + name + " is restoring from a backup");
                }
                boolean online = "attached".equals(LonghornVolumes.state(v));
                if (LonghornVolumes.size(v) < size) {
                    try {
                        manager.action(name, "expand", ManagerClient.object().put("size", Long.toString(size)));
                    } catch (ManagerClient.ApiException e) {
                        if (e.status() == 400 && e.getMessage().contains("schedul")) {
                            throw Errors.outOfRange(e.getMessage());
                        }
                        throw e;
                    }
                }
                if (online) {
                    Waits.until("the engine of " + name + " to reach " + size + " bytes", LonghornVolumes.WAIT, () -> {
                        JsonNode now = volumes.require(name);
                        JsonNode c = now.path("controllers").path(0);
                        if (!"attached".equals(LonghornVolumes.state(now))) {
                            return Optional.of(now);
                        }
                        String err = c.path("lastExpansionError").asText("");
                        if (!err.isEmpty()) {
                            throw Errors.internal("expansion of " + name + " failed: " + err);
                        }
                        return c.path("size").asLong(0) >= size && !c.path("isExpanding").asBoolean()
                                ? Optional.of(now) : Optional.empty();
                    });
                }
                long has = Math.max(size, LonghornVolumes.size(volumes.require(name)));
                return ControllerExpandVolumeResponse.newBuilder().setCapacityBytes(has)
                        .setNodeExpansionRequired(!block && online).build();
            });
        });
    }

    // ---- snapshots

    @Override
    public void createSnapshot(CreateSnapshotRequest req, StreamObserver<CreateSnapshotResponse> out) {
        Rpc.answer(out, () -> {
            String volume = Errors.require("source_volume_id", req.getSourceVolumeId());
            String name = snapshotName(Errors.require("name", req.getName()));
            Handles.Kind kind = snapshotType(req.getParametersMap());
            return locks.with("snapshot/" + name, () -> locks.with(volume, () -> {
                // The same name on another volume is another snapshot.
                for (Handles h : allSnapshots()) {
                    if (h.name().equals(name) || (h.kind() == Handles.Kind.BAK && snapshotNameOf(h).equals(name))) {
                        if (!h.volume().equals(volume)) {
                            throw Errors.alreadyExists("snapshot " + name + " exists for volume " + h.volume());
                        }
                        if (h.kind() == kind) {
                            return CreateSnapshotResponse.newBuilder().setSnapshot(describe(h).orElseThrow()).build();
                        }
                    }
                }
                volumes.require(volume);
                Handles created = volumes.withEngine(volume, () -> {
                    if (snapshot(volume, name).isEmpty()) {
                        manager.action(volume, "snapshotCreate", ManagerClient.object().put("name", name));
                    }
                    if (kind == Handles.Kind.SNAP) {
                        return Handles.snap(volume, name);
                    }
                    return Handles.bak(volume, backupOf(volume, name).path("name").asText());
                }, tree -> tree.stream().anyMatch(s -> name.equals(s.path("name").asText())));
                return CreateSnapshotResponse.newBuilder().setSnapshot(describe(created).orElseThrow(() ->
                        Errors.internal("snapshot " + created.id() + " vanished after creation"))).build();
            }));
        });
    }

    /**
     * The Longhorn snapshot name for a CSI snapshot name: the same when Longhorn accepts it, else
     * its letters, digits, {@code _ . -} (others become {@code -}) cut to 54 characters, a dash and
     * 8 hex digits of its SHA-256 (a VolumeSnapshot's {@code snapshot-<uuid>} is kept as it is).
     */
    static String snapshotName(String csiName) {
        try {
            return Names.requireSnapshotName(csiName);
        } catch (IllegalArgumentException e) {
            String n = csiName.replaceAll("[^A-Za-z0-9_.-]", "-").replaceAll("^[^A-Za-z0-9]+", "");
            n = (n.length() > 54 ? n.substring(0, 54) : n).replaceAll("-+$", "");
            return n + (n.isEmpty() ? "" : "-")
                    + VolumeParameters.sha256(csiName).substring(0, 8);
        }
    }

    static Handles.Kind snapshotType(Map<String, String> params) {
        for (String key : params.keySet()) {
            if (!SNAPSHOT_PARAMETERS.contains(key) && !key.startsWith("csi.storage.k8s.io/")) {
                throw Errors.invalid("parameters." + key, "unknown VolumeSnapshotClass parameter; known: type");
            }
        }
        String type = params.getOrDefault("type", "");
        return switch (type) {
            case "snap" -> Handles.Kind.SNAP;
            case "bak", "bs", "" -> Handles.Kind.BAK;
            default -> throw Errors.invalid("parameters.type", "\"" + type + "\" is not snap or bak");
        };
    }

    private String snapshotNameOf(Handles bak) {
        return backup(bak.volume(), bak.name()).map(b -> b.path("snapshotName").asText()).orElse("");
    }

    /** Every snapshot and backup the driver can name: user snapshots of every volume, and completed backups. */
    private List<Handles> allSnapshots() {
        List<Handles> out = new ArrayList<>();
        for (JsonNode v : manager.volumes()) {
            String vol = v.path("name").asText();
            for (JsonNode s : manager.snapshots(vol)) {
                if (userSnapshot(s)) {
                    out.add(Handles.snap(vol, s.path("name").asText()));
                }
            }
        }
        for (JsonNode bv : manager.backupVolumes()) {
            String vol = bv.path("name").asText();
            for (JsonNode b : manager.backups(vol)) {
                out.add(Handles.bak(vol, b.path("name").asText()));
            }
        }
        return out;
    }

    private static boolean userSnapshot(JsonNode s) {
        return s.path("usercreated").asBoolean() && !s.path("removed").asBoolean()
                && !"volume-head".equals(s.path("name").asText()) && !s.path("labels").has(LABEL_CLONE_FOR);
    }

    /** The CSI view of a snapshot or backup, if it exists. */
    private Optional<Snapshot> describe(Handles h) {
        if (h.kind() == Handles.Kind.SNAP) {
            Optional<JsonNode> volume = manager.volume(h.volume());
            if (volume.isEmpty()) {
                return Optional.empty();
            }
            // The size a volume restored from it needs: the volume's (the snapshot's own size counts
            // only the blocks written since its parent).
            long size = volume.get().path("size").asLong(0);
            return snapshot(h.volume(), h.name()).map(s -> Snapshot.newBuilder().setSnapshotId(h.id())
                    .setSourceVolumeId(h.volume()).setSizeBytes(size)
                    .setCreationTime(timestamp(s.path("created").asText())).setReadyToUse(true).build());
        }
        return backup(h.volume(), h.name()).map(b -> Snapshot.newBuilder().setSnapshotId(h.id())
                .setSourceVolumeId(h.volume()).setSizeBytes(b.path("volumeSize").asLong(0))
                .setCreationTime(timestamp(b.path("created").asText()))
                .setReadyToUse("Completed".equals(b.path("state").asText())).build());
    }

    static Timestamp timestamp(String text) {
        try {
            Instant t = Instant.parse(text);
            return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
        } catch (DateTimeParseException | NullPointerException e) {
            Instant now = Instant.now();
            return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).build();
        }
    }

    @Override
    public void deleteSnapshot(DeleteSnapshotRequest req, StreamObserver<DeleteSnapshotResponse> out) {
        Rpc.answer(out, () -> {
            String id = Errors.require("snapshot_id", req.getSnapshotId());
            Handles h;
            try {
                h = Handles.parse(id);
            } catch (IllegalArgumentException e) {
                // No snapshot has such an id: there is nothing to delete.
                return DeleteSnapshotResponse.getDefaultInstance();
            }
            return locks.with(h.volume(), () -> {
                if (h.kind() == Handles.Kind.BAK) {
                    manager.deleteBackup(h.volume(), h.name());
                    return DeleteSnapshotResponse.getDefaultInstance();
                }
                if (manager.volume(h.volume()).isEmpty() || snapshot(h.volume(), h.name()).isEmpty()) {
                    return DeleteSnapshotResponse.getDefaultInstance();
                }
                volumes.withEngine(h.volume(), () -> {
                    manager.action(h.volume(), "snapshotDelete", ManagerClient.object().put("name", h.name()));
                    manager.action(h.volume(), "snapshotPurge", ManagerClient.object());
                    return true;
                }, tree -> tree.stream().noneMatch(s -> h.name().equals(s.path("name").asText())
                        && !s.path("removed").asBoolean()));
                return DeleteSnapshotResponse.getDefaultInstance();
            });
        });
    }

    @Override
    public void listSnapshots(ListSnapshotsRequest req, StreamObserver<ListSnapshotsResponse> out) {
        Rpc.answer(out, () -> {
            List<Snapshot> found = new ArrayList<>();
            if (!req.getSnapshotId().isEmpty()) {
                try {
                    Handles h = Handles.parse(req.getSnapshotId());
                    if (req.getSourceVolumeId().isEmpty() || req.getSourceVolumeId().equals(h.volume())) {
                        describe(h).ifPresent(found::add);
                    }
                } catch (IllegalArgumentException e) {
                    // not a handle of ours: no such snapshot
                }
            } else {
                for (Handles h : allSnapshots()) {
                    if (req.getSourceVolumeId().isEmpty() || req.getSourceVolumeId().equals(h.volume())) {
                        describe(h).ifPresent(found::add);
                    }
                }
            }
            found.sort(Comparator.comparing(Snapshot::getSnapshotId));
            Page page = Page.of(req.getMaxEntries(), req.getStartingToken(), found.size());
            ListSnapshotsResponse.Builder b = ListSnapshotsResponse.newBuilder();
            for (Snapshot s : found.subList(page.from(), page.to())) {
                b.addEntries(ListSnapshotsResponse.Entry.newBuilder().setSnapshot(s));
            }
            return b.setNextToken(page.next()).build();
        });
    }

    /** One page of a listing: the token is the index of the first entry (ABORTED when it is not one). */
    record Page(int from, int to, String next) {
        static Page of(int maxEntries, String token, int total) {
            if (maxEntries < 0) {
                throw Errors.invalid("max_entries", "must not be negative");
            }
            int from = 0;
            if (!token.isEmpty()) {
                try {
                    from = Integer.parseInt(token);
                } catch (NumberFormatException e) {
                    throw Errors.aborted("starting_token \"" + token + "\" is not a token this driver gave");
                }
                if (from < 0 || from > total) {
                    throw Errors.aborted("starting_token \"" + token + "\" is past the end of the listing");
                }
            }
            int to = maxEntries == 0 ? total : Math.min(total, from + maxEntries);
            return new Page(from, to, to < total ? Integer.toString(to) : "");
        }
    }
}
