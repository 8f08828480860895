package io.longhorn.manager.model;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The per-volume controller instance: which replicas it serves and where its frontend is. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhe")
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
