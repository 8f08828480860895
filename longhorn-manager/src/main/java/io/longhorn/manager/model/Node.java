package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A node that holds replicas and runs engines, with its disks. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhn")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type=='Ready')].status")
@AdditionalPrinterColumn(name = "AllowScheduling", jsonPath = ".spec.allowScheduling", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Schedulable", jsonPath = ".status.conditions[?(@.type=='Schedulable')].status")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Node extends CustomResource<NodeSpec, NodeStatus> implements Namespaced {
    @Override
    protected NodeSpec initSpec() {
        return new NodeSpec();
    }

    @Override
    protected NodeStatus initStatus() {
        return new NodeStatus();
    }
}
