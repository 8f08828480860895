package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A snapshot of a volume, as its engine reports it (or as the user asked for it). */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhsnap")
@AdditionalPrinterColumn(name = "Volume", jsonPath = ".spec.volume")
@AdditionalPrinterColumn(name = "CreationTime", jsonPath = ".status.creationTime")
@AdditionalPrinterColumn(name = "ReadyToUse", jsonPath = ".status.readyToUse", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "RestoreSize", jsonPath = ".status.restoreSize")
@AdditionalPrinterColumn(name = "Size", jsonPath = ".status.size")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
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
