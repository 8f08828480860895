package io.longhorn.csi;

import io.grpc.stub.StreamObserver;
import io.longhorn.csi.v1.GroupControllerGetCapabilitiesRequest;
import io.longhorn.csi.v1.GroupControllerGetCapabilitiesResponse;
import io.longhorn.csi.v1.GroupControllerGrpc;

/** Answers that the driver offers no group snapshots (an empty capability list). */
public class GroupControllerService implements GroupControllerGrpc.AsyncService {
    @Override
    public void groupControllerGetCapabilities(GroupControllerGetCapabilitiesRequest req,
                                               StreamObserver<GroupControllerGetCapabilitiesResponse> out) {
        Rpc.answer(out, GroupControllerGetCapabilitiesResponse::getDefaultInstance);
    }
}
