package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One backup of one snapshot of a volume, in the backup target. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhb")
@AdditionalPrinterColumn(name = "SnapshotName", jsonPath = ".status.snapshotName")
@AdditionalPrinterColumn(name = "SnapshotSize", jsonPath = ".status.size")
@AdditionalPrinterColumn(name = "SnapshotCreatedAt", jsonPath = ".status.snapshotCreatedAt")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state")
@AdditionalPrinterColumn(name = "LastSyncedAt", jsonPath = ".status.lastSyncedAt")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Backup extends CustomResource<BackupSpec, BackupStatus> implements Namespaced {
    @Override
    protected BackupSpec initSpec() {
        return new BackupSpec();
    }

    @Override
    protected BackupStatus initStatus() {
        return new BackupStatus();
    }
}
