package io.longhorn.manager.model;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Where backups go: an {@code s3://}, {@code nfs://} or {@code file://} URL and its credentials. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhbt")
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
