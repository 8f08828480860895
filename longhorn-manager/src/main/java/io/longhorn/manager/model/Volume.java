package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Longhorn volume: the block device users ask for, served by one engine over N replicas. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhv")
@AdditionalPrinterColumn(name = "Data Engine", jsonPath = ".spec.dataEngine")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state")
@AdditionalPrinterColumn(name = "Robustness", jsonPath = ".status.robustness")
@AdditionalPrinterColumn(name = "Scheduled", jsonPath = ".status.conditions[?(@.type=='Scheduled')].status")
@AdditionalPrinterColumn(name = "Size", jsonPath = ".spec.size")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".status.currentNodeID")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Volume extends CustomResource<VolumeSpec, VolumeStatus> implements Namespaced {
    @Override
    protected VolumeSpec initSpec() {
        return new VolumeSpec();
    }

    @Override
    protected VolumeStatus initStatus() {
        return new VolumeStatus();
    }
}
