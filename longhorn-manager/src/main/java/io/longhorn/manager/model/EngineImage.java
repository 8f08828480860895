package io.longhorn.manager.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The engine build instances run with. Standalone there is one: the local {@code bin/} launchers. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhei")
@AdditionalPrinterColumn(name = "Incompatible", jsonPath = ".status.incompatible", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state")
@AdditionalPrinterColumn(name = "Image", jsonPath = ".spec.image")
@AdditionalPrinterColumn(name = "RefCount", jsonPath = ".status.refCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "BuildDate", jsonPath = ".status.buildDate", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class EngineImage extends CustomResource<EngineImageSpec, EngineImageStatus> implements Namespaced {
    @Override
    protected EngineImageSpec initSpec() {
        return new EngineImageSpec();
    }

    @Override
    protected EngineImageStatus initStatus() {
        return new EngineImageStatus();
    }
}
