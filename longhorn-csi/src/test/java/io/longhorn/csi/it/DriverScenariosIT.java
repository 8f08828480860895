package io.longhorn.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.longhorn.csi.v1.ControllerGrpc;
import io.longhorn.csi.v1.ControllerExpandVolumeRequest;
import io.longhorn.csi.v1.ControllerPublishVolumeRequest;
import io.longhorn.csi.v1.ControllerUnpublishVolumeRequest;
import io.longhorn.csi.v1.CapacityRange;
import io.longhorn.csi.v1.CreateSnapshotRequest;
import io.longhorn.csi.v1.CreateVolumeRequest;
import io.longhorn.csi.v1.DeleteSnapshotRequest;
import io.longhorn.csi.v1.DeleteVolumeRequest;
import io.longhorn.csi.v1.NodeExpandVolumeRequest;
import io.longhorn.csi.v1.NodeGetVolumeStatsRequest;
import io.longhorn.csi.v1.NodeGetVolumeStatsResponse;
import io.longhorn.csi.v1.NodeGrpc;
import io.longhorn.csi.v1.NodePublishVolumeRequest;
import io.longhorn.csi.v1.NodeStageVolumeRequest;
import io.longhorn.csi.v1.NodeUnpublishVolumeRequest;
import io.longhorn.csi.v1.NodeUnstageVolumeRequest;
import io.longhorn.csi.v1.Snapshot;
import io.longhorn.csi.v1.VolumeCapability;
import io.longhorn.csi.v1.VolumeContentSource;
import io.longhorn.csi.v1.VolumeUsage;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What csi-sanity does not look at, through the driver's socket as kubelet and the sidecars call
 * it, with the same standalone manager set-up as {@link CsiSanityIT}: data written through a mounted
 * PVC survives unstage and stage; a {@code bak} snapshot and a volume restored from it holding the
 * file; offline expansion whose file system has grown at the next stage; a {@code Block} volume
 * published as the device itself; the volume condition naming the userspace path; with no backup
 * target, a PVC restored from a {@code snap} snapshot and a cloned PVC, each holding its source's
 * files.
 */
class DriverScenariosIT {
    static EpollEventLoopGroup group;
    static ManagedChannel channel;
    static ControllerGrpc.ControllerBlockingStub controller;
    static NodeGrpc.NodeBlockingStub node;

    static final VolumeCapability MOUNT = VolumeCapability.newBuilder()
            .setMount(VolumeCapability.MountVolume.newBuilder().setFsType("ext4"))
            .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                    .setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)).build();
    static final VolumeCapability BLOCK = MOUNT.toBuilder().setBlock(VolumeCapability.BlockVolume.getDefaultInstance())
            .build();

    @BeforeAll
    static void start() throws Exception {
        CsiSanityIT.start();
        group = new EpollEventLoopGroup(1);
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(CsiSanityIT.dir.resolve("csi.sock").toString()))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).usePlaintext().build();
        controller = ControllerGrpc.newBlockingStub(channel);
        node = NodeGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully();
        }
        CsiSanityIT.stop();
    }

    static Path staging(String vol) {
        return CsiSanityIT.dir.resolve("staging").resolve(vol);
    }

    static Path target(String vol) {
        return CsiSanityIT.dir.resolve("pods").resolve(vol).resolve("mount");
    }

    static void attach(String vol, VolumeCapability cap) {
        controller.controllerPublishVolume(ControllerPublishVolumeRequest.newBuilder().setVolumeId(vol)
                .setNodeId(CsiSanityIT.NODE).setVolumeCapability(cap).build());
        NodeStageVolumeRequest stage = NodeStageVolumeRequest.newBuilder().setVolumeId(vol)
                .setStagingTargetPath(staging(vol).toString()).setVolumeCapability(cap).build();
        node.nodeStageVolume(stage);
        node.nodeStageVolume(stage); // kubelet retries: the same answer, nothing done twice
        NodePublishVolumeRequest publish = NodePublishVolumeRequest.newBuilder().setVolumeId(vol)
                .setStagingTargetPath(staging(vol).toString()).setTargetPath(target(vol).toString())
                .setVolumeCapability(cap).build();
        node.nodePublishVolume(publish);
        node.nodePublishVolume(publish);
    }

    static void detach(String vol) {
        NodeUnpublishVolumeRequest unpublish = NodeUnpublishVolumeRequest.newBuilder().setVolumeId(vol)
                .setTargetPath(target(vol).toString()).build();
        node.nodeUnpublishVolume(unpublish);
        node.nodeUnpublishVolume(unpublish);
        NodeUnstageVolumeRequest unstage = NodeUnstageVolumeRequest.newBuilder().setVolumeId(vol)
                .setStagingTargetPath(staging(vol).toString()).build();
        node.nodeUnstageVolume(unstage);
        node.nodeUnstageVolume(unstage);
        controller.controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(vol)
                .setNodeId(CsiSanityIT.NODE).build());
    }

    static String create(String name, long size, VolumeCapability cap, VolumeContentSource source) {
        CreateVolumeRequest.Builder b = CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(cap)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(size)).putParameters("numberOfReplicas", "1");
        if (source != null) {
            b.setVolumeContentSource(source);
        }
        return controller.createVolume(b.build()).getVolume().getVolumeId();
    }

    static long usage(String vol, VolumeUsage.Unit unit) {
        NodeGetVolumeStatsResponse r = node.nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId(vol)
                .setVolumePath(target(vol).toString()).build());
        return r.getUsageList().stream().filter(u -> u.getUnit() == unit).findFirst().orElseThrow().getTotal();
    }

    @Test
    void fileSurvivesBackupRestoreAndOfflineExpansion() throws Exception {
        String vol = create("scenario-data", 64L << 20, MOUNT, null);
        attach(vol, MOUNT);
        Files.writeString(target(vol).resolve("hello.txt"), "written through the PVC\n");
        CsiSanityIT.run(List.of("sync"));
        NodeGetVolumeStatsResponse stats = node.nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder()
                .setVolumeId(vol).setVolumePath(target(vol).toString()).build());
        assertFalse(stats.getVolumeCondition().getAbnormal(), stats.getVolumeCondition().getMessage());
        assertTrue(stats.getVolumeCondition().getMessage().contains("userspace path")
                || stats.getVolumeCondition().getMessage().contains("kernel NBD"), stats.getVolumeCondition().getMessage());
        assertTrue(usage(vol, VolumeUsage.Unit.INODES) > 0);
        long before = usage(vol, VolumeUsage.Unit.BYTES);

        Snapshot bak = controller.createSnapshot(CreateSnapshotRequest.newBuilder().setSourceVolumeId(vol)
                .setName("scenario-backup").putParameters("type", "bak").build()).getSnapshot();
        assertTrue(bak.getSnapshotId().startsWith("bak://" + vol + "/backup-"), bak.getSnapshotId());
        assertTrue(bak.getReadyToUse());

        detach(vol);
        var expanded = controller.controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder().setVolumeId(vol)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(128L << 20)).build());
        assertEquals(128L << 20, expanded.getCapacityBytes());
        attach(vol, MOUNT);
        assertEquals("written through the PVC\n", Files.readString(target(vol).resolve("hello.txt")));
        long after = usage(vol, VolumeUsage.Unit.BYTES);
        assertTrue(after > before + (50L << 20), "file system grew from " + before + " to " + after);
        detach(vol);

        String restored = create("scenario-restored", 64L << 20, MOUNT, VolumeContentSource.newBuilder()
                .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(bak.getSnapshotId())).build());
        // The restore runs after CreateVolume; publishing is refused (ABORTED) until it is done.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            try {
                attach(restored, MOUNT);
                break;
            } catch (io.grpc.StatusRuntimeException e) {
                if (e.getStatus().getCode() != io.grpc.Status.Code.ABORTED || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
        assertEquals("written through the PVC\n", Files.readString(target(restored).resolve("hello.txt")));
        detach(restored);

        controller.deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(bak.getSnapshotId()).build());
        controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(restored).build());
        controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(vol).build());
        assertEquals(List.of(), CsiSanityIT.leftovers());
    }

    /**
     * Online expansion: the engine grows while the volume is mounted, NodeExpandVolume grows the
     * device in use and the file system on it. xfs grows with {@code CAP_SYS_ADMIN}; a mounted ext4
     * needs {@code CAP_SYS_RESOURCE} as well, and where the driver lacks it (this machine's root may)
     * the call says so, the data stays, and the file system grows at the next stage.
     */
    @Test
    void mountedVolumesGrowOnline() throws Exception {
        VolumeCapability xfs = MOUNT.toBuilder().setMount(VolumeCapability.MountVolume.newBuilder().setFsType("xfs"))
                .build();
        String vol = create("scenario-online-xfs", 320L << 20, xfs, null);
        attach(vol, xfs);
        Files.writeString(target(vol).resolve("hello.txt"), "written before the expansion\n");
        CsiSanityIT.run(List.of("sync"));
        long before = usage(vol, VolumeUsage.Unit.BYTES);
        var expanded = controller.controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder().setVolumeId(vol)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(640L << 20)).setVolumeCapability(xfs)
                .build());
        assertTrue(expanded.getNodeExpansionRequired(), "a mounted volume's file system grows on the node");
        NodeExpandVolumeRequest grow = NodeExpandVolumeRequest.newBuilder().setVolumeId(vol)
                .setVolumePath(target(vol).toString()).setStagingTargetPath(staging(vol).toString())
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(640L << 20)).setVolumeCapability(xfs)
                .build();
        assertEquals(640L << 20, node.nodeExpandVolume(grow).getCapacityBytes());
        assertEquals(640L << 20, node.nodeExpandVolume(grow).getCapacityBytes(), "a repeated call: the same answer");
        long after = usage(vol, VolumeUsage.Unit.BYTES);
        assertTrue(after > before + (250L << 20), "xfs grew while mounted from " + before + " to " + after);
        assertEquals("written before the expansion\n", Files.readString(target(vol).resolve("hello.txt")));
        Files.writeString(target(vol).resolve("after.txt"), "and after\n");
        detach(vol);
        controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(vol).build());

        String ext4 = create("scenario-online-ext4", 64L << 20, MOUNT, null);
        attach(ext4, MOUNT);
        Files.writeString(target(ext4).resolve("hello.txt"), "ext4\n");
        controller.controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder().setVolumeId(ext4)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(128L << 20)).setVolumeCapability(MOUNT)
                .build());
        NodeExpandVolumeRequest growExt4 = NodeExpandVolumeRequest.newBuilder().setVolumeId(ext4)
                .setVolumePath(target(ext4).toString()).setStagingTargetPath(staging(ext4).toString())
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(128L << 20)).setVolumeCapability(MOUNT)
                .build();
        long ext4Before = usage(ext4, VolumeUsage.Unit.BYTES);
        if (hasCapSysResource()) {
            assertEquals(128L << 20, node.nodeExpandVolume(growExt4).getCapacityBytes());
        } else {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> node.nodeExpandVolume(growExt4));
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("CAP_SYS_RESOURCE"), e.getStatus().getDescription());
            assertEquals("ext4\n", Files.readString(target(ext4).resolve("hello.txt")));
            detach(ext4);
            attach(ext4, MOUNT);
        }
        assertTrue(usage(ext4, VolumeUsage.Unit.BYTES) > ext4Before + (50L << 20), "ext4 grew");
        assertEquals("ext4\n", Files.readString(target(ext4).resolve("hello.txt")));
        detach(ext4);
        controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(ext4).build());
        assertEquals(List.of(), CsiSanityIT.leftovers());
    }

    /** Whether this process has CAP_SYS_RESOURCE (bit 24 of CapEff), which an online ext4 resize needs. */
    static boolean hasCapSysResource() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 24)) != 0;
            }
        }
        return false;
    }

    @Test
    void blockVolumeIsPublishedAsTheDevice() throws Exception {
        String vol = create("scenario-block", 32L << 20, BLOCK, null);
        attach(vol, BLOCK);
        Path dev = target(vol);
        assertEquals("block special file", CsiSanityIT.run(List.of("stat", "-c", "%F", dev.toString())).trim());
        assertEquals(Long.toString(32L << 20), CsiSanityIT.run(List.of("blockdev", "--getsize64", dev.toString())).trim());
        CsiSanityIT.run(List.of("sh", "-c", "printf 'raw block data' | dd of=" + dev + " bs=4096 conv=sync,fsync status=none"));
        detach(vol);
        attach(vol, BLOCK);
        assertEquals("raw block data", CsiSanityIT.run(List.of("sh", "-c", "dd if=" + dev
                + " bs=14 count=1 status=none")));
        detach(vol);
        controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(vol).build());
        assertEquals(List.of(), CsiSanityIT.leftovers());
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + CsiSanityIT.managerPort + "/v1" + path))
                .header("Authorization", "Bearer " + CsiSanityIT.ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), method + " " + path + ": " + r.body());
            return JSON.readTree(r.body());
        }
    }

    @Test
    void storageClassSelectorsPlaceReplicasOnlyOnTaggedNodesAndDisks() throws Exception {
        JsonNode node = api("GET", "/nodes/" + CsiSanityIT.NODE, null);
        String disk = node.path("disks").fieldNames().next();
        String path = node.path("disks").path(disk).path("path").asText();
        api("PUT", "/nodes/" + CsiSanityIT.NODE, "{\"tags\":[\"csi-fast\"]}");
        api("POST", "/nodes/" + CsiSanityIT.NODE + "?action=diskUpdate",
                "{\"disks\":{\"" + disk + "\":{\"path\":\"" + path + "\",\"tags\":[\"csi-ssd\"]}}}");
        try {
            String placed = controller.createVolume(CreateVolumeRequest.newBuilder().setName("scenario-tags")
                    .addVolumeCapabilities(MOUNT).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(32L << 20))
                    .putParameters("numberOfReplicas", "1").putParameters("nodeSelector", "csi-fast")
                    .putParameters("diskSelector", "csi-ssd").build()).getVolume().getVolumeId();
            JsonNode v = api("GET", "/volumes/" + placed, null);
            assertEquals("[\"csi-ssd\"]", v.path("diskSelector").toString());
            assertEquals("[\"csi-fast\"]", v.path("nodeSelector").toString());
            assertEquals(1, v.path("replicas").size());
            attach(placed, MOUNT);
            Files.writeString(target(placed).resolve("f"), "tagged");
            detach(placed);
            controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(placed).build());

            // No disk carries the tag: refused with the reason, and nothing is left behind.
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> controller.createVolume(
                    CreateVolumeRequest.newBuilder().setName("scenario-no-tags").addVolumeCapabilities(MOUNT)
                            .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(32L << 20))
                            .putParameters("numberOfReplicas", "1").putParameters("diskSelector", "csi-nvme").build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getMessage());
            assertTrue(e.getMessage().contains("no node and disk carry the tags of the volume's diskSelector [csi-nvme]"),
                    e.getMessage());
            assertEquals(0, api("GET", "/volumes", null).path("data").size(), "no volume left");
        } finally {
            api("PUT", "/nodes/" + CsiSanityIT.NODE, "{\"tags\":[]}");
            api("POST", "/nodes/" + CsiSanityIT.NODE + "?action=diskUpdate",
                    "{\"disks\":{\"" + disk + "\":{\"path\":\"" + path + "\",\"tags\":[]}}}");
        }
        assertEquals(List.of(), CsiSanityIT.leftovers());
    }

    @Test
    void withNoBackupTargetASnapRestoreAndACloneHoldTheirSourcesFiles() throws Exception {
        String target = api("GET", "/settings/backup-target", null).path("value").asText();
        api("PUT", "/settings/backup-target", "{\"value\":\"\"}");
        try {
            String vol = create("scenario-clone-src", 64L << 20, MOUNT, null);
            attach(vol, MOUNT);
            Files.writeString(target(vol).resolve("first.txt"), "before the snapshot\n");
            CsiSanityIT.run(List.of("sync"));
            Snapshot snap = controller.createSnapshot(CreateSnapshotRequest.newBuilder().setSourceVolumeId(vol)
                    .setName("scenario-clone-snap").putParameters("type", "snap").build()).getSnapshot();
            assertEquals("snap://" + vol + "/scenario-clone-snap", snap.getSnapshotId());
            Files.writeString(target(vol).resolve("second.txt"), "after the snapshot\n");
            CsiSanityIT.run(List.of("sync"));

            // A clone of the published volume: the copy is done when CreateVolume returns.
            VolumeContentSource ofVolume = VolumeContentSource.newBuilder()
                    .setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId(vol)).build();
            String clone = create("scenario-clone", 64L << 20, MOUNT, ofVolume);
            assertEquals(clone, create("scenario-clone", 64L << 20, MOUNT, ofVolume), "the same request, the same answer");
            StatusRuntimeException bigger = assertThrows(StatusRuntimeException.class,
                    () -> create("scenario-clone-big", 128L << 20, MOUNT, ofVolume));
            assertEquals(Status.Code.OUT_OF_RANGE, bigger.getStatus().getCode(), bigger.getMessage());
            JsonNode cloned = api("GET", "/volumes/" + clone, null);
            assertEquals("vol://" + vol, cloned.path("dataSource").asText());
            assertEquals("completed", cloned.path("cloneStatus").path("state").asText(), cloned.toString());
            detach(vol);

            String restored = create("scenario-snap-restored", 64L << 20, MOUNT, VolumeContentSource.newBuilder()
                    .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snap.getSnapshotId()))
                    .build());
            assertEquals("snap://" + vol + "/scenario-clone-snap",
                    api("GET", "/volumes/" + restored, null).path("dataSource").asText());

            attach(clone, MOUNT);
            assertEquals("before the snapshot\n", Files.readString(target(clone).resolve("first.txt")));
            assertEquals("after the snapshot\n", Files.readString(target(clone).resolve("second.txt")));
            detach(clone);
            attach(restored, MOUNT);
            assertEquals("before the snapshot\n", Files.readString(target(restored).resolve("first.txt")));
            assertFalse(Files.exists(target(restored).resolve("second.txt")), "written after the snapshot");
            detach(restored);

            List<String> names = new java.util.ArrayList<>();
            api("POST", "/volumes/" + vol + "?action=snapshotList", "{}").path("data")
                    .forEach(x -> names.add(x.path("name").asText()));
            assertEquals(List.of("scenario-clone-snap", "volume-head"), names.stream().sorted().toList(),
                    "the clone's snapshot is removed once copied");

            controller.deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(snap.getSnapshotId()).build());
            for (String v : List.of(restored, clone, vol)) {
                controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(v).build());
            }
        } finally {
            api("PUT", "/settings/backup-target", JSON.createObjectNode().put("value", target).toString());
        }
        assertEquals(0, api("GET", "/volumes", null).path("data").size(), "no volume left");
        assertEquals(List.of(), CsiSanityIT.leftovers());
    }
}
