package io.longhorn.csi;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.stub.StreamObserver;
import io.longhorn.csi.v1.NodeExpandVolumeRequest;
import io.longhorn.csi.v1.NodeExpandVolumeResponse;
import io.longhorn.csi.v1.NodeGetCapabilitiesRequest;
import io.longhorn.csi.v1.NodeGetCapabilitiesResponse;
import io.longhorn.csi.v1.NodeGetInfoRequest;
import io.longhorn.csi.v1.NodeGetInfoResponse;
import io.longhorn.csi.v1.NodeGetVolumeStatsRequest;
import io.longhorn.csi.v1.NodeGetVolumeStatsResponse;
import io.longhorn.csi.v1.NodeGrpc;
import io.longhorn.csi.v1.NodePublishVolumeRequest;
import io.longhorn.csi.v1.NodePublishVolumeResponse;
import io.longhorn.csi.v1.NodeServiceCapability;
import io.longhorn.csi.v1.NodeStageVolumeRequest;
import io.longhorn.csi.v1.NodeStageVolumeResponse;
import io.longhorn.csi.v1.NodeUnpublishVolumeRequest;
import io.longhorn.csi.v1.NodeUnpublishVolumeResponse;
import io.longhorn.csi.v1.NodeUnstageVolumeRequest;
import io.longhorn.csi.v1.NodeUnstageVolumeResponse;
import io.longhorn.csi.v1.VolumeCapability;
import io.longhorn.csi.v1.VolumeCondition;
import io.longhorn.csi.v1.VolumeUsage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The CSI Node service. Stage connects the volume's block device on this node ({@link BlockDevices}),
 * formats it only when it holds nothing, mounts it on the staging path and grows the file system to
 * the device; publish bind-mounts the staging path (or, in {@code Block} mode, the device) onto the
 * target. Each step finds what an earlier call already did; unstage undoes stage in reverse order.
 * Expand grows the connected device to what the expanded engine serves (the kernel's, through
 * netlink; see {@link BlockDevices#grow}) and then the mounted file system.
 * Programs run and files are made on the node through the {@link NodeHost} of {@link BlockDevices}.
 */
public class NodeService implements NodeGrpc.AsyncService {
    private final String nodeId;
    private final LonghornVolumes volumes;
    private final BlockDevices devices;
    private final NodeHost node;
    private final Mounts mounts;
    private final VolumeLocks locks = new VolumeLocks(120);

    public NodeService(String nodeId, ManagerClient manager, BlockDevices devices) {
        this.nodeId = nodeId;
        this.volumes = new LonghornVolumes(manager);
        this.devices = devices;
        this.node = devices.node();
        this.mounts = new Mounts(node);
    }

    @Override
    public void nodeGetInfo(NodeGetInfoRequest req, StreamObserver<NodeGetInfoResponse> out) {
        Rpc.answer(out, () -> NodeGetInfoResponse.newBuilder().setNodeId(nodeId).build());
    }

    @Override
    public void nodeGetCapabilities(NodeGetCapabilitiesRequest req, StreamObserver<NodeGetCapabilitiesResponse> out) {
        Rpc.answer(out, () -> {
            NodeGetCapabilitiesResponse.Builder b = NodeGetCapabilitiesResponse.newBuilder();
            // Both paths' devices grow while connected: NodeExpandVolume grows them and the file system.
            List<NodeServiceCapability.RPC.Type> types = List.of(NodeServiceCapability.RPC.Type.STAGE_UNSTAGE_VOLUME,
                    NodeServiceCapability.RPC.Type.GET_VOLUME_STATS, NodeServiceCapability.RPC.Type.VOLUME_CONDITION,
                    NodeServiceCapability.RPC.Type.EXPAND_VOLUME);
            for (NodeServiceCapability.RPC.Type t : types) {
                b.addCapabilities(NodeServiceCapability.newBuilder().setRpc(NodeServiceCapability.RPC.newBuilder().setType(t)));
            }
            return b.build();
        });
    }

    @Override
    public void nodeStageVolume(NodeStageVolumeRequest req, StreamObserver<NodeStageVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            Path staging = Path.of(Errors.require("staging_target_path", req.getStagingTargetPath()));
            if (!req.hasVolumeCapability()) {
                throw Errors.required("volume_capability");
            }
            VolumeCapability cap = req.getVolumeCapability();
            Capabilities.validate("volume_capability", cap);
            Capabilities.unsupported(cap).ifPresent(why -> {
                throw Errors.invalid("volume_capability", why);
            });
            return locks.with(name, () -> {
                JsonNode v = volumes.require(name);
                String endpoint = v.path("endpoint").asText("");
                if (!LonghornVolumes.publishedNode(v).equals(nodeId) || endpoint.isEmpty()) {
                    throw Errors.failedPrecondition("volume " + name + " is not attached to node " + nodeId
                            + " (state " + LonghornVolumes.state(v) + ", node " + v.path("currentNodeID").asText() + ")");
                }
                boolean connectedNow = devices.find(name).isEmpty();
                BlockDevices.Device dev = devices.connect(name, endpoint);
                if (cap.hasBlock()) {
                    return NodeStageVolumeResponse.getDefaultInstance();
                }
                try {
                    stageFileSystem(dev, staging, cap, req.getVolumeContextMap());
                } catch (RuntimeException e) {
                    if (connectedNow && !mounts.isMountPoint(staging)) {
                        try {
                            devices.disconnect(name);
                        } catch (RuntimeException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                    }
                    throw e;
                }
                return NodeStageVolumeResponse.getDefaultInstance();
            });
        });
    }

    private void stageFileSystem(BlockDevices.Device dev, Path staging, VolumeCapability cap,
                                 java.util.Map<String, String> context) {
        String fsType = cap.getMount().getFsType().isEmpty() ? context.getOrDefault("fsType", "ext4")
                : cap.getMount().getFsType().toLowerCase(Locale.ROOT);
        Optional<Mounts.Mount> mounted = mounts.at(staging);
        if (mounted.isPresent()) {
            if (!mounted.get().source().equals(dev.path())) {
                throw Errors.alreadyExists("staging path " + staging + " already holds " + mounted.get().source());
            }
            return;
        }
        try {
            node.createDirectories(staging);
        } catch (IOException e) {
            throw Errors.internal("cannot create " + staging + ": " + e.getMessage());
        }
        String existing = fileSystemOn(dev.path());
        if (existing.isEmpty()) {
            node.check(mkfs(fsType, context.getOrDefault("mkfsParams", ""), dev.path()));
        } else if (!existing.equals(fsType)) {
            throw Errors.failedPrecondition("device " + dev.path() + " holds " + existing + ", not " + fsType);
        } else if (fsType.equals("ext4") && ext4Size(dev.path()) < devices.size(dev.path())) {
            // The volume was expanded: grow the file system before it is mounted (growing a mounted
            // ext4 needs CAP_SYS_RESOURCE, which a plugin container may lack). resize2fs wants a
            // file system checked since its last mount.
            Exec.Result fsck = node.run(List.of("e2fsck", "-f", "-p", dev.path()), 600);
            if (fsck.code() > 1) {
                throw Errors.internal("e2fsck -f -p " + dev.path() + " found errors it could not fix (exit "
                        + fsck.code() + "): " + fsck.output());
            }
            node.check(List.of("resize2fs", dev.path()));
        }
        List<String> options = new ArrayList<>(cap.getMount().getMountFlagsList());
        if (fsType.equals("xfs")) {
            options.add("nouuid");
        }
        mounts.mount(dev.path(), staging, fsType, options);
        if (fsType.equals("xfs")) {
            // xfs grows only while mounted
            node.check(List.of("xfs_growfs", staging.toString()));
        }
    }

    /** The size in bytes of the ext4 file system on the device (its superblock's block count and size). */
    private long ext4Size(String device) {
        String out = node.check(List.of("dumpe2fs", "-h", device));
        long blocks = -1;
        long blockSize = -1;
        for (String line : out.split("\n")) {
            if (line.startsWith("Block count:")) {
                blocks = Long.parseLong(line.substring("Block count:".length()).trim());
            } else if (line.startsWith("Block size:")) {
                blockSize = Long.parseLong(line.substring("Block size:".length()).trim());
            }
        }
        if (blocks < 0 || blockSize < 0) {
            throw Errors.internal("dumpe2fs -h " + device + " shows no block count or size: " + out);
        }
        return blocks * blockSize;
    }

    /** The file system type on the device, empty when it holds none (a new volume). */
    private String fileSystemOn(String device) {
        Exec.Result r = node.run(List.of("blkid", "-p", "-o", "value", "-s", "TYPE", device));
        if (r.code() == 2) {
            return "";
        }
        if (!r.ok()) {
            throw Errors.internal("blkid " + device + " failed (exit " + r.code() + "): " + r.output());
        }
        return r.output().trim();
    }

    /** The mkfs command for a file system type, with upstream's defaults and then the StorageClass's mkfsParams. */
    static List<String> mkfs(String fsType, String mkfsParams, String device) {
        List<String> cmd = new ArrayList<>();
        if (fsType.equals("xfs")) {
            cmd.addAll(List.of("mkfs.xfs", "-f", "-s", "size=4096", "-b", "size=4096"));
        } else {
            cmd.addAll(List.of("mkfs." + fsType, "-F", "-b", "4096"));
        }
        for (String p : mkfsParams.trim().split("\\s+")) {
            if (!p.isEmpty()) {
                cmd.add(p);
            }
        }
        cmd.add(device);
        return cmd;
    }

    private void grow(String fsType, String device, Path mountPoint) {
        if (fsType.equals("xfs")) {
            node.check(List.of("xfs_growfs", mountPoint.toString()));
        } else {
            Exec.Result r = node.run(List.of("resize2fs", device));
            if (!r.ok() && r.output().contains("Permission denied")) {
                // the kernel refuses an online ext4 resize without CAP_SYS_RESOURCE
                throw Errors.failedPrecondition("growing the mounted ext4 file system on " + device + " needs "
                        + "CAP_SYS_RESOURCE, which this plugin lacks; it grows when the volume is staged next: "
                        + r.output().trim());
            }
            if (!r.ok()) {
                throw Errors.internal("resize2fs " + device + " failed (exit " + r.code() + "): " + r.output());
            }
        }
    }

    @Override
    public void nodeUnstageVolume(NodeUnstageVolumeRequest req, StreamObserver<NodeUnstageVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            Path staging = Path.of(Errors.require("staging_target_path", req.getStagingTargetPath()));
            return locks.with(name, () -> {
                mounts.unmount(staging);
                devices.disconnect(name);
                return NodeUnstageVolumeResponse.getDefaultInstance();
            });
        });
    }

    @Override
    public void nodePublishVolume(NodePublishVolumeRequest req, StreamObserver<NodePublishVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            Path target = Path.of(Errors.require("target_path", req.getTargetPath()));
            Path staging = Path.of(Errors.require("staging_target_path", req.getStagingTargetPath()));
            if (!req.hasVolumeCapability()) {
                throw Errors.required("volume_capability");
            }
            VolumeCapability cap = req.getVolumeCapability();
            Capabilities.validate("volume_capability", cap);
            Capabilities.unsupported(cap).ifPresent(why -> {
                throw Errors.invalid("volume_capability", why);
            });
            return locks.with(name, () -> {
                volumes.require(name);
                String source;
                if (cap.hasBlock()) {
                    source = devices.find(name).orElseThrow(() -> Errors.failedPrecondition("volume " + name
                            + " is not staged on this node")).path();
                } else {
                    Mounts.Mount m = mounts.at(staging).orElseThrow(() -> Errors.failedPrecondition("volume " + name
                            + " is not staged at " + staging));
                    source = staging.toString();
                    if (devices.find(name).map(d -> !d.path().equals(m.source())).orElse(true)) {
                        throw Errors.failedPrecondition("staging path " + staging + " does not hold volume " + name);
                    }
                }
                Optional<Mounts.Mount> there = mounts.at(target);
                if (there.isPresent()) {
                    if (there.get().readOnly() != req.getReadonly()) {
                        throw Errors.alreadyExists("target " + target + " is already published "
                                + (there.get().readOnly() ? "read-only" : "read-write"));
                    }
                    return NodePublishVolumeResponse.getDefaultInstance();
                }
                try {
                    if (cap.hasBlock()) {
                        node.createDirectories(target.getParent());
                        node.createFile(target);
                    } else {
                        node.createDirectories(target);
                    }
                } catch (IOException e) {
                    throw Errors.internal("cannot create " + target + ": " + e.getMessage());
                }
                mounts.bind(source, target, req.getReadonly());
                return NodePublishVolumeResponse.getDefaultInstance();
            });
        });
    }

    @Override
    public void nodeUnpublishVolume(NodeUnpublishVolumeRequest req, StreamObserver<NodeUnpublishVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            Path target = Path.of(Errors.require("target_path", req.getTargetPath()));
            return locks.with(name, () -> {
                mounts.unmount(target);
                try {
                    node.deleteIfExists(target);
                } catch (IOException e) {
                    throw Errors.internal("cannot remove " + target + ": " + e.getMessage());
                }
                return NodeUnpublishVolumeResponse.getDefaultInstance();
            });
        });
    }

    @Override
    public void nodeGetVolumeStats(NodeGetVolumeStatsRequest req, StreamObserver<NodeGetVolumeStatsResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            Path path = Path.of(Errors.require("volume_path", req.getVolumePath()));
            JsonNode v = volumes.require(name);
            if (!node.exists(path)) {
                throw Errors.notFound("volume path " + path + " does not exist");
            }
            if (!mounts.isMountPoint(path)) {
                throw Errors.notFound("volume " + name + " is not published at " + path);
            }
            NodeGetVolumeStatsResponse.Builder b = NodeGetVolumeStatsResponse.newBuilder();
            if (!node.isDirectory(path)) {
                long size = devices.size(path.toString());
                b.addUsage(VolumeUsage.newBuilder().setUnit(VolumeUsage.Unit.BYTES).setTotal(size));
            } else {
                // blocks, free blocks, available blocks, block size, inodes, free inodes
                String[] f = node.check(List.of("stat", "-f", "-c", "%b %f %a %S %c %d", path.toString())).trim().split(" ");
                long blocks = Long.parseLong(f[0]);
                long free = Long.parseLong(f[1]);
                long avail = Long.parseLong(f[2]);
                long bsize = Long.parseLong(f[3]);
                long inodes = Long.parseLong(f[4]);
                long ifree = Long.parseLong(f[5]);
                b.addUsage(VolumeUsage.newBuilder().setUnit(VolumeUsage.Unit.BYTES).setTotal(blocks * bsize)
                        .setAvailable(avail * bsize).setUsed((blocks - free) * bsize));
                b.addUsage(VolumeUsage.newBuilder().setUnit(VolumeUsage.Unit.INODES).setTotal(inodes)
                        .setAvailable(ifree).setUsed(inodes - ifree));
            }
            VolumeCondition c = LonghornVolumes.condition(v);
            Optional<BlockDevices.Device> dev = devices.find(name);
            String msg = c.getMessage() + "; " + dev.map(BlockDevices.Device::conditionMessage)
                    .orElse("no block device is connected for it on this node");
            return b.setVolumeCondition(VolumeCondition.newBuilder().setAbnormal(c.getAbnormal() || dev.isEmpty())
                    .setMessage(msg)).build();
        });
    }

    @Override
    public void nodeExpandVolume(NodeExpandVolumeRequest req, StreamObserver<NodeExpandVolumeResponse> out) {
        Rpc.answer(out, () -> {
            String name = Errors.require("volume_id", req.getVolumeId());
            Path path = Path.of(Errors.require("volume_path", req.getVolumePath()));
            return locks.with(name, () -> {
                JsonNode v = volumes.require(name);
                if (!node.exists(path)) {
                    throw Errors.notFound("volume path " + path + " does not exist");
                }
                BlockDevices.Device dev = devices.find(name).orElseThrow(() -> Errors.notFound("volume " + name
                        + " is not staged on this node"));
                // The device grows to what the engine serves (at least what was asked for): never
                // beyond it, or the file system would reach blocks that do not exist yet.
                long served = v.path("controllers").path(0).path("size").asLong(0);
                long wanted = Math.max(req.getCapacityRange().getRequiredBytes(), served);
                if (devices.size(dev.path()) < wanted) {
                    if (served < wanted) {
                        throw Errors.failedPrecondition("the engine of " + name + " serves " + served + " bytes, fewer than "
                                + wanted + ": expand the volume first (ControllerExpandVolume)");
                    }
                    dev = devices.grow(name, wanted);
                }
                long size = devices.size(dev.path());
                if (req.hasVolumeCapability() && req.getVolumeCapability().hasBlock() || !node.isDirectory(path)) {
                    // Block mode: the device grew, there is nothing else to grow.
                    return NodeExpandVolumeResponse.newBuilder().setCapacityBytes(size).build();
                }
                Mounts.Mount m = mounts.at(path).orElseThrow(() -> Errors.notFound("nothing is mounted at " + path));
                grow(m.fsType(), dev.path(), path);
                return NodeExpandVolumeResponse.newBuilder().setCapacityBytes(size).build();
            });
        });
    }
}
