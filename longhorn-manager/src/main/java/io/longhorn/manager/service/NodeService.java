package io.longhorn.manager.service;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.DiskSpec;
import io.longhorn.manager.model.DiskStatus;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.store.Retry;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Node requests: list, switch scheduling, replace the disk set. */
public final class NodeService {
    private final ControllerContext ctx;

    public NodeService(ControllerContext ctx) {
        this.ctx = ctx;
    }

    public List<Node> list() {
        return ctx.store().list(Node.class);
    }

    public Node get(String name) {
        return ctx.store().get(Node.class, name).orElseThrow(() -> new NotFoundException("node " + name + " not found"));
    }

    public Node update(String name, Boolean allowScheduling, List<String> requestedTags) {
        List<String> tags = Validation.tags("tags", requestedTags);
        get(name);
        return Retry.update(ctx.store(), Node.class, name, n -> {
            if (allowScheduling != null) {
                n.getSpec().allowScheduling = allowScheduling;
            }
            if (tags != null) {
                n.getSpec().tags = List.copyOf(tags);
            }
            return true;
        });
    }

    /**
     * Replaces the node's disks with the given ones (by name). A disk that still holds replicas
     * cannot be removed; paths must be absolute and distinct.
     */
    public Node diskUpdate(String name, Map<String, DiskInput> disks) {
        Node node = get(name);
        if (disks == null || disks.isEmpty()) {
            throw new InvalidInputException("disks", "disks is required: a node needs at least one disk");
        }
        Map<String, DiskSpec> next = new LinkedHashMap<>();
        Set<String> paths = new HashSet<>();
        for (Map.Entry<String, DiskInput> e : disks.entrySet()) {
            String disk = e.getKey();
            DiskInput in = e.getValue();
            if (disk == null || disk.isBlank()) {
                throw new InvalidInputException("disks", "a disk has no name");
            }
            if (in == null || in.path() == null || in.path().isBlank()) {
                throw new InvalidInputException("disks." + disk + ".path", "path of disk " + disk + " is required");
            }
            if (!Path.of(in.path()).isAbsolute()) {
                throw new InvalidInputException("disks." + disk + ".path", "path \"" + in.path() + "\" of disk " + disk
                        + " must be absolute");
            }
            String normalized = Path.of(in.path()).normalize().toString();
            if (!paths.add(normalized)) {
                throw new InvalidInputException("disks." + disk + ".path", "path " + normalized + " is used by two disks");
            }
            if (in.storageReserved() != null && in.storageReserved() < 0) {
                throw new InvalidInputException("disks." + disk + ".storageReserved", "storageReserved of disk " + disk
                        + " must not be negative");
            }
            DiskSpec old = node.getSpec().disks.get(disk);
            DiskSpec d = new DiskSpec();
            d.path = normalized;
            d.allowScheduling = in.allowScheduling() == null || in.allowScheduling();
            d.storageReserved = in.storageReserved() == null ? (old == null ? 0 : old.storageReserved) : in.storageReserved();
            d.tags = in.tags() == null ? List.of() : Validation.tags("disks." + disk + ".tags", in.tags());
            d.evictionRequested = Boolean.TRUE.equals(in.evictionRequested());
            if (old != null && !old.path.equals(d.path) && holdsReplicas(node, disk)) {
                throw new ConflictStateException("disk " + disk + " of node " + name + " holds replicas: its path cannot change");
            }
            next.put(disk, d);
        }
        for (String disk : node.getSpec().disks.keySet()) {
            if (!next.containsKey(disk) && holdsReplicas(node, disk)) {
                throw new ConflictStateException("disk " + disk + " of node " + name
                        + " holds replicas and cannot be removed; disable scheduling on it and move them first");
            }
        }
        return Retry.update(ctx.store(), Node.class, name, n -> {
            n.getSpec().disks = next;
            return true;
        });
    }

    private static boolean holdsReplicas(Node node, String disk) {
        DiskStatus ds = node.getStatus().diskStatus.get(disk);
        return ds != null && !ds.scheduledReplica.isEmpty();
    }
}
