package io.longhorn.manager.model;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One backup of one snapshot of a volume, in the backup target. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhb")
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
