package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The per-volume controller instance: which replicas it serves and where its frontend is. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhe")
@AdditionalPrinterColumn(name = "Data Engine", jsonPath = ".spec.dataEngine")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.currentState")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".spec.nodeID")
@AdditionalPrinterColumn(name = "InstanceManager", jsonPath = ".status.instanceManagerName")
@AdditionalPrinterColumn(name = "Image", jsonPath = ".status.currentImage")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Engine extends CustomResource<EngineSpec, EngineStatus> implements Namespaced {
    @Override
    protected EngineSpec initSpec() {
        return new EngineSpec();
    }

    @Override
    protected EngineStatus initStatus() {
        return new EngineStatus();
    }
}
