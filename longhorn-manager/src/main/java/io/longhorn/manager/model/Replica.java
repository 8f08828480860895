package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One replica of a volume: a directory on a disk of a node, served by a replica instance. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhr")
@AdditionalPrinterColumn(name = "Data Engine", jsonPath = ".spec.dataEngine")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.currentState")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".spec.nodeID")
@AdditionalPrinterColumn(name = "Disk", jsonPath = ".spec.diskID")
@AdditionalPrinterColumn(name = "InstanceManager", jsonPath = ".status.instanceManagerName")
@AdditionalPrinterColumn(name = "Image", jsonPath = ".status.currentImage")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Replica extends CustomResource<ReplicaSpec, ReplicaStatus> implements Namespaced {
    @Override
    protected ReplicaSpec initSpec() {
        return new ReplicaSpec();
    }

    @Override
    protected ReplicaStatus initStatus() {
        return new ReplicaStatus();
    }
}
