package io.longhorn.manager.model;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A node that holds replicas and runs engines, with its disks. */
@Group(Longhorn.GROUP)
@Version(Longhorn.VERSION)
@ShortNames("lhn")
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
