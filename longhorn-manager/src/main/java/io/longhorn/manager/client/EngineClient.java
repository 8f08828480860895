package io.longhorn.manager.client;

import io.longhorn.api.engine.RebuildStatusResponse;
import io.longhorn.api.engine.ReplicaListResponse;
import io.longhorn.api.engine.SnapshotCreateResponse;
import io.longhorn.api.engine.SnapshotListResponse;
import io.longhorn.api.engine.Volume;
import java.util.Map;

/** One engine's control API. Every call throws {@link ServiceCallException} naming the engine on failure. */
public interface EngineClient {
    Volume volumeInfo();

    ReplicaListResponse replicaAdd(String address);

    ReplicaListResponse replicaRemove(String address);

    RebuildStatusResponse rebuildStatus();

    SnapshotCreateResponse snapshotCreate(String name, Map<String, String> labels);

    SnapshotListResponse snapshotList();

    SnapshotListResponse snapshotRemove(String name);

    SnapshotListResponse snapshotRevert(String name);

    SnapshotListResponse snapshotPurge();

    Volume expand(long size);

    Volume frontendStop();

    Volume frontendStart();
}
