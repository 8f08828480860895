package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The backups of one volume found in the backup target. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhbv")
@AdditionalPrinterColumn(name = "BackupTarget", jsonPath = ".spec.backupTargetName")
@AdditionalPrinterColumn(name = "CreatedAt", jsonPath = ".status.createdAt")
@AdditionalPrinterColumn(name = "LastBackupName", jsonPath = ".status.lastBackupName")
@AdditionalPrinterColumn(name = "LastBackupAt", jsonPath = ".status.lastBackupAt")
@AdditionalPrinterColumn(name = "LastSyncedAt", jsonPath = ".status.lastSyncedAt")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class BackupVolume extends CustomResource<BackupVolumeSpec, BackupVolumeStatus> implements Namespaced {
    @Override
    protected BackupVolumeSpec initSpec() {
        return new BackupVolumeSpec();
    }

    @Override
    protected BackupVolumeStatus initStatus() {
        return new BackupVolumeStatus();
    }
}
