package io.longhorn.manager.model;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The backups of one volume found in the backup target. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhbv")
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
