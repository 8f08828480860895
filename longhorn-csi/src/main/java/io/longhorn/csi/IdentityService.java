package io.longhorn.csi;

import com.google.protobuf.BoolValue;
import io.grpc.stub.StreamObserver;
import io.longhorn.csi.v1.GetPluginCapabilitiesRequest;
import io.longhorn.csi.v1.GetPluginCapabilitiesResponse;
import io.longhorn.csi.v1.GetPluginInfoRequest;
import io.longhorn.csi.v1.GetPluginInfoResponse;
import io.longhorn.csi.v1.IdentityGrpc;
import io.longhorn.csi.v1.PluginCapability;
import io.longhorn.csi.v1.ProbeRequest;
import io.longhorn.csi.v1.ProbeResponse;
import java.util.function.BooleanSupplier;

/** The CSI Identity service: the driver's name and version, its plugin capabilities, and Probe. */
public class IdentityService implements IdentityGrpc.AsyncService {
    public static final String DRIVER_NAME = "driver.longhorn.io";
    public static final String VERSION = "0.1.0";

    private final boolean controller;
    private final BooleanSupplier ready;

    /** {@code controller}: whether this process serves the Controller service; {@code ready}: Probe's answer. */
    public IdentityService(boolean controller, BooleanSupplier ready) {
        this.controller = controller;
        this.ready = ready;
    }

    @Override
    public void getPluginInfo(GetPluginInfoRequest request, StreamObserver<GetPluginInfoResponse> out) {
        Rpc.answer(out, () -> GetPluginInfoResponse.newBuilder().setName(DRIVER_NAME).setVendorVersion(VERSION).build());
    }

    @Override
    public void getPluginCapabilities(GetPluginCapabilitiesRequest request,
                                      StreamObserver<GetPluginCapabilitiesResponse> out) {
        Rpc.answer(out, () -> {
            GetPluginCapabilitiesResponse.Builder b = GetPluginCapabilitiesResponse.newBuilder();
            if (controller) {
                b.addCapabilities(PluginCapability.newBuilder().setService(PluginCapability.Service.newBuilder()
                        .setType(PluginCapability.Service.Type.CONTROLLER_SERVICE)));
            }
            b.addCapabilities(PluginCapability.newBuilder().setVolumeExpansion(PluginCapability.VolumeExpansion
                    .newBuilder().setType(PluginCapability.VolumeExpansion.Type.ONLINE)));
            return b.build();
        });
    }

    @Override
    public void probe(ProbeRequest request, StreamObserver<ProbeResponse> out) {
        Rpc.answer(out, () -> {
            if (!ready.getAsBoolean()) {
                throw Errors.unavailable("the Longhorn manager does not answer");
            }
            return ProbeResponse.newBuilder().setReady(BoolValue.of(true)).build();
        });
    }
}
