package io.longhorn.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.longhorn.csi.v1.CapacityRange;
import io.longhorn.csi.v1.ControllerExpandVolumeRequest;
import io.longhorn.csi.v1.ControllerPublishVolumeRequest;
import io.longhorn.csi.v1.ControllerUnpublishVolumeRequest;
import io.longhorn.csi.v1.CreateSnapshotRequest;
import io.longhorn.csi.v1.CreateVolumeRequest;
import io.longhorn.csi.v1.DeleteSnapshotRequest;
import io.longhorn.csi.v1.DeleteVolumeRequest;
import io.longhorn.csi.v1.NodeExpandVolumeRequest;
import io.longhorn.csi.v1.NodeGetVolumeStatsRequest;
import io.longhorn.csi.v1.NodePublishVolumeRequest;
import io.longhorn.csi.v1.NodeStageVolumeRequest;
import io.longhorn.csi.v1.NodeUnpublishVolumeRequest;
import io.longhorn.csi.v1.NodeUnstageVolumeRequest;
import io.longhorn.csi.v1.ValidateVolumeCapabilitiesRequest;
import io.longhorn.csi.v1.VolumeCapability;
import io.longhorn.csi.v1.VolumeCapability.AccessMode.Mode;
import io.longhorn.csi.v1.VolumeContentSource;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Every RPC refuses incomplete or wrong arguments with INVALID_ARGUMENT naming the field, before it
 * asks the manager anything: the manager URL here points at a port nobody listens on, so a call
 * that reached it would fail with UNAVAILABLE instead.
 */
class ArgumentValidationTest {
    private final ManagerClient nowhere = new ManagerClient("http://127.0.0.1:1/v1");
    private final ControllerService controller = new ControllerService(nowhere);
    private final NodeService node = new NodeService("n1", nowhere, new BlockDevices(new LocalNodeHost(), Path.of("/nonexistent"), false));

    private static final VolumeCapability MOUNT = VolumeCapability.newBuilder()
            .setMount(VolumeCapability.MountVolume.getDefaultInstance())
            .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(Mode.SINGLE_NODE_WRITER)).build();

    private static <Q, A> void refused(String field, BiConsumer<Q, StreamObserver<A>> rpc, Q request) {
        AtomicReference<Throwable> error = new AtomicReference<>();
        rpc.accept(request, new StreamObserver<>() {
            @Override
            public void onNext(A value) {
            }

            @Override
            public void onError(Throwable t) {
                error.set(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        assertNotNull(error.get(), "no error for " + request);
        Status s = ((StatusRuntimeException) error.get()).getStatus();
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
        assertTrue(s.getDescription().startsWith(field + ":"), s.getDescription());
    }

    @Test
    void createVolume() {
        refused("name", controller::createVolume, CreateVolumeRequest.getDefaultInstance());
        refused("volume_capabilities", controller::createVolume, CreateVolumeRequest.newBuilder().setName("v").build());
        refused("volume_capabilities[0].access_mode", controller::createVolume, CreateVolumeRequest.newBuilder()
                .setName("v").addVolumeCapabilities(VolumeCapability.newBuilder()
                        .setBlock(VolumeCapability.BlockVolume.getDefaultInstance())).build());
        refused("volume_capabilities[0].access_type", controller::createVolume, CreateVolumeRequest.newBuilder()
                .setName("v").addVolumeCapabilities(VolumeCapability.newBuilder()
                        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(Mode.SINGLE_NODE_WRITER))).build());
        refused("volume_capabilities[0]", controller::createVolume, CreateVolumeRequest.newBuilder()
                .setName("v").addVolumeCapabilities(MOUNT.toBuilder().setAccessMode(VolumeCapability.AccessMode
                        .newBuilder().setMode(Mode.MULTI_NODE_MULTI_WRITER))).build());
        refused("parameters.numberOfReplicas", controller::createVolume, CreateVolumeRequest.newBuilder()
                .setName("v").addVolumeCapabilities(MOUNT).putParameters("numberOfReplicas", "x").build());
        refused("parameters.diskSelector", controller::createVolume, CreateVolumeRequest.newBuilder()
                .setName("v").addVolumeCapabilities(MOUNT).putParameters("diskSelector", "ssd,bad tag").build());
        refused("capacity_range.required_bytes", controller::createVolume, CreateVolumeRequest.newBuilder()
                .setName("v").addVolumeCapabilities(MOUNT).setCapacityRange(CapacityRange.newBuilder()
                        .setRequiredBytes(-1)).build());
        refused("volume_content_source.volume.volume_id", controller::createVolume, CreateVolumeRequest.newBuilder()
                .setName("v").addVolumeCapabilities(MOUNT).setVolumeContentSource(VolumeContentSource.newBuilder()
                        .setVolume(VolumeContentSource.VolumeSource.getDefaultInstance())).build());
    }

    @Test
    void otherControllerCalls() {
        refused("volume_id", controller::deleteVolume, DeleteVolumeRequest.getDefaultInstance());
        refused("volume_id", controller::controllerPublishVolume, ControllerPublishVolumeRequest.getDefaultInstance());
        refused("node_id", controller::controllerPublishVolume, ControllerPublishVolumeRequest.newBuilder()
                .setVolumeId("v").build());
        refused("volume_capability", controller::controllerPublishVolume, ControllerPublishVolumeRequest.newBuilder()
                .setVolumeId("v").setNodeId("n").build());
        refused("volume_id", controller::controllerUnpublishVolume, ControllerUnpublishVolumeRequest.getDefaultInstance());
        refused("volume_id", controller::validateVolumeCapabilities, ValidateVolumeCapabilitiesRequest.getDefaultInstance());
        refused("volume_capabilities", controller::validateVolumeCapabilities, ValidateVolumeCapabilitiesRequest
                .newBuilder().setVolumeId("v").build());
        refused("volume_id", controller::controllerExpandVolume, ControllerExpandVolumeRequest.getDefaultInstance());
        refused("capacity_range", controller::controllerExpandVolume, ControllerExpandVolumeRequest.newBuilder()
                .setVolumeId("v").build());
        refused("source_volume_id", controller::createSnapshot, CreateSnapshotRequest.getDefaultInstance());
        refused("name", controller::createSnapshot, CreateSnapshotRequest.newBuilder().setSourceVolumeId("v").build());
        refused("parameters.type", controller::createSnapshot, CreateSnapshotRequest.newBuilder().setSourceVolumeId("v")
                .setName("s").putParameters("type", "bi").build());
        refused("snapshot_id", controller::deleteSnapshot, DeleteSnapshotRequest.getDefaultInstance());
    }

    @Test
    void nodeCalls() {
        refused("volume_id", node::nodeStageVolume, NodeStageVolumeRequest.getDefaultInstance());
        refused("staging_target_path", node::nodeStageVolume, NodeStageVolumeRequest.newBuilder().setVolumeId("v").build());
        refused("volume_capability", node::nodeStageVolume, NodeStageVolumeRequest.newBuilder().setVolumeId("v")
                .setStagingTargetPath("/s").build());
        refused("volume_capability", node::nodeStageVolume, NodeStageVolumeRequest.newBuilder().setVolumeId("v")
                .setStagingTargetPath("/s").setVolumeCapability(MOUNT.toBuilder().setMount(VolumeCapability.MountVolume
                        .newBuilder().setFsType("btrfs"))).build());
        refused("volume_id", node::nodeUnstageVolume, NodeUnstageVolumeRequest.getDefaultInstance());
        refused("staging_target_path", node::nodeUnstageVolume, NodeUnstageVolumeRequest.newBuilder().setVolumeId("v").build());
        refused("volume_id", node::nodePublishVolume, NodePublishVolumeRequest.getDefaultInstance());
        refused("target_path", node::nodePublishVolume, NodePublishVolumeRequest.newBuilder().setVolumeId("v").build());
        refused("staging_target_path", node::nodePublishVolume, NodePublishVolumeRequest.newBuilder().setVolumeId("v")
                .setTargetPath("/t").build());
        refused("volume_capability", node::nodePublishVolume, NodePublishVolumeRequest.newBuilder().setVolumeId("v")
                .setTargetPath("/t").setStagingTargetPath("/s").build());
        refused("volume_id", node::nodeUnpublishVolume, NodeUnpublishVolumeRequest.getDefaultInstance());
        refused("target_path", node::nodeUnpublishVolume, NodeUnpublishVolumeRequest.newBuilder().setVolumeId("v").build());
        refused("volume_id", node::nodeGetVolumeStats, NodeGetVolumeStatsRequest.getDefaultInstance());
        refused("volume_path", node::nodeGetVolumeStats, NodeGetVolumeStatsRequest.newBuilder().setVolumeId("v").build());
        refused("volume_id", node::nodeExpandVolume, NodeExpandVolumeRequest.getDefaultInstance());
        refused("volume_path", node::nodeExpandVolume, NodeExpandVolumeRequest.newBuilder().setVolumeId("v").build());
    }
}
