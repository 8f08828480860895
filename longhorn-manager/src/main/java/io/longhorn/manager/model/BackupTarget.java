package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Where backups go: an {@code s3://}, {@code nfs://} or {@code file://} URL and its credentials. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhbt")
@AdditionalPrinterColumn(name = "URL", jsonPath = ".spec.backupTargetURL")
@AdditionalPrinterColumn(name = "Credential", jsonPath = ".spec.credentialSecret")
@AdditionalPrinterColumn(name = "PollInterval", jsonPath = ".spec.pollInterval")
@AdditionalPrinterColumn(name = "Available", jsonPath = ".status.available", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "LastSyncedAt", jsonPath = ".status.lastSyncedAt")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class BackupTarget extends CustomResource<BackupTargetSpec, BackupTargetStatus> implements Namespaced {
    @Override
    protected BackupTargetSpec initSpec() {
        return new BackupTargetSpec();
    }

    @Override
    protected BackupTargetStatus initStatus() {
        return new BackupTargetStatus();
    }
}
