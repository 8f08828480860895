package io.longhorn.manager.model;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A snapshot of a volume, as its engine reports it (or as the user asked for it). */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhsnap")
public class Snapshot extends CustomResource<SnapshotSpec, SnapshotStatus> implements Namespaced {
    @Override
    protected SnapshotSpec initSpec() {
        return new SnapshotSpec();
    }

    @Override
    protected SnapshotStatus initStatus() {
        return new SnapshotStatus();
    }
}
