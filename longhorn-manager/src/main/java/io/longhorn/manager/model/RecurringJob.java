package io.longhorn.manager.model;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A snapshot, backup or cleanup task that runs on a cron schedule for the volumes that joined it. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhrj")
public class RecurringJob extends CustomResource<RecurringJobSpec, RecurringJobStatus> implements Namespaced {
    @Override
    protected RecurringJobSpec initSpec() {
        return new RecurringJobSpec();
    }

    @Override
    protected RecurringJobStatus initStatus() {
        return new RecurringJobStatus();
    }
}
