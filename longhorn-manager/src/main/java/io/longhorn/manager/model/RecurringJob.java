package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A snapshot, backup or cleanup task that runs on a cron schedule for the volumes that joined it. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhrj")
@AdditionalPrinterColumn(name = "Groups", jsonPath = ".spec.groups")
@AdditionalPrinterColumn(name = "Task", jsonPath = ".spec.task")
@AdditionalPrinterColumn(name = "Cron", jsonPath = ".spec.cron")
@AdditionalPrinterColumn(name = "Retain", jsonPath = ".spec.retain", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Concurrency", jsonPath = ".spec.concurrency", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Labels", jsonPath = ".spec.labels")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
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
