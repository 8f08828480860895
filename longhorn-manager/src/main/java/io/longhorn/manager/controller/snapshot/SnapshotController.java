package io.longhorn.manager.controller.snapshot;

import io.longhorn.manager.client.EngineClient;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.controller.runtime.Reconciler;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Snapshot;
import io.longhorn.manager.model.SnapshotInfo;
import io.longhorn.manager.model.SnapshotStatus;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.Resources;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;

/**
 * Keyed by volume name: syncs that volume's Snapshot resources with its engine. Each resource is named
 * per volume ({@link SnapshotNames}); resources of an older layout (named after the snapshot alone)
 * are renamed, and those of a volume that no longer exists are removed. A detached volume's resources
 * keep what its engine last reported: the API lists a detached volume's snapshots from them.
 */
public final class SnapshotController implements Reconciler {
    public static final String NAME = "snapshot";

    private final ControllerContext ctx;

    public SnapshotController(ControllerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        ctx.store().list(Volume.class).forEach(v -> keys.add(Resources.name(v)));
        // Snapshots whose volume is gone, so that they are cleaned up too.
        ctx.store().list(Snapshot.class).forEach(s -> keys.add(SnapshotNames.volumeName(s)));
        keys.remove("");
        return List.copyOf(keys);
    }

    @Override
    public Result reconcile(String volumeName) {
        List<Snapshot> resources = migrate(volumeName,
                ctx.store().list(Snapshot.class, Map.of(Longhorn.LABEL_VOLUME, volumeName)));
        Optional<Volume> volume = ctx.store().get(Volume.class, volumeName);
        if (volume.isEmpty()) {
            for (Snapshot s : resources) {
                Writes.removeFinalizer(ctx.store(), s);
                ctx.store().get(Snapshot.class, Resources.name(s))
                        .ifPresent(left -> ctx.store().delete(Snapshot.class, Resources.name(left)));
            }
            return Result.DONE;
        }
        Optional<Engine> engine = ctx.store().list(Engine.class, Map.of(Longhorn.LABEL_VOLUME, volumeName)).stream()
                .filter(e -> InstanceState.RUNNING.equals(e.getStatus().currentState) && e.getStatus().port > 0)
                .findFirst();
        if (engine.isEmpty()) {
            // Detached: the resources keep what was last seen; requests wait for the next attach.
            return Result.DONE;
        }
        Engine e = engine.get();
        if (!e.getStatus().snapshotsError.isEmpty()) {
            return Result.DONE;
        }
        EngineClient client = ctx.engines().forAddress(e.getStatus().ip + ":" + e.getStatus().port);
        Map<String, SnapshotInfo> inEngine = e.getStatus().snapshots;
        for (Snapshot s : resources) {
            String name = SnapshotNames.snapshotName(s);
            if (Resources.isDeleting(s)) {
                if (inEngine.containsKey(name)) {
                    tryCall(volumeName, () -> client.snapshotRemove(name));
                }
                Writes.removeFinalizer(ctx.store(), s);
            } else if (!inEngine.containsKey(name)) {
                if (s.getSpec().createSnapshot && !s.getStatus().readyToUse) {
                    tryCall(volumeName, () -> client.snapshotCreate(name, s.getSpec().labels));
                } else {
                    Writes.removeFinalizer(ctx.store(), s);
                    ctx.store().get(Snapshot.class, Resources.name(s))
                            .ifPresent(left -> ctx.store().delete(Snapshot.class, Resources.name(left)));
                }
            }
        }
        for (SnapshotInfo info : inEngine.values()) {
            mirror(volumeName, info);
        }
        return Result.DONE;
    }

    /**
     * Renames resources of the older layout (named after the snapshot alone) to their per-volume
     * name, keeping spec and status; returns the volume's resources as they are now.
     */
    private List<Snapshot> migrate(String volumeName, List<Snapshot> resources) {
        List<Snapshot> out = new ArrayList<>();
        for (Snapshot s : resources) {
            String wanted = SnapshotNames.resourceName(volumeName, SnapshotNames.snapshotName(s));
            if (wanted.equals(Resources.name(s))) {
                out.add(s);
                continue;
            }
            if (!Resources.isDeleting(s)) {
                Snapshot moved = Resources.create(Snapshot.class, wanted);
                Resources.labels(moved).putAll(Resources.labels(s));
                Resources.labels(moved).put(Longhorn.LABEL_VOLUME, volumeName);
                Resources.labels(moved).put(Longhorn.LABEL_SNAPSHOT, SnapshotNames.snapshotName(s));
                Resources.finalizers(moved).add(Longhorn.FINALIZER);
                moved.setSpec(Resources.copy(s).getSpec());
                moved.getSpec().volume = volumeName;
                try {
                    Snapshot created = ctx.store().create(moved);
                    Snapshot withStatus = Resources.copy(created);
                    withStatus.setStatus(Resources.copy(s).getStatus());
                    out.add(Writes.updateStatusIfChanged(ctx.store(), created, withStatus));
                } catch (AlreadyExistsException e) {
                    ctx.store().get(Snapshot.class, wanted).ifPresent(out::add);
                }
            }
            Writes.removeFinalizer(ctx.store(), s);
            ctx.store().get(Snapshot.class, Resources.name(s))
                    .ifPresent(left -> ctx.store().delete(Snapshot.class, Resources.name(left)));
        }
        return out;
    }

    private void mirror(String volumeName, SnapshotInfo info) {
        String resourceName = SnapshotNames.resourceName(volumeName, info.name);
        Snapshot s = ctx.store().get(Snapshot.class, resourceName).orElse(null);
        if (s == null) {
            Snapshot fresh = Resources.create(Snapshot.class, resourceName);
            Resources.labels(fresh).put(Longhorn.LABEL_VOLUME, volumeName);
            Resources.labels(fresh).put(Longhorn.LABEL_SNAPSHOT, info.name);
            Resources.finalizers(fresh).add(Longhorn.FINALIZER);
            fresh.getSpec().volume = volumeName;
            fresh.getSpec().labels.putAll(info.labels);
            try {
                s = ctx.store().create(fresh);
            } catch (AlreadyExistsException e) {
                return;
            }
        }
        if (Resources.isDeleting(s)) {
            return;
        }
        Snapshot copy = Resources.copy(s);
        SnapshotStatus st = copy.getStatus();
        st.parent = info.parent;
        st.children = new java.util.LinkedHashMap<>(info.children);
        st.markRemoved = info.removed;
        st.userCreated = info.usercreated;
        st.creationTime = info.created;
        st.labels = new java.util.LinkedHashMap<>(info.labels);
        st.readyToUse = !info.removed;
        st.ownerID = ctx.nodeID();
        try {
            st.size = Long.parseLong(info.size);
        } catch (NumberFormatException ignored) {
            st.size = 0;
        }
        Writes.updateStatusIfChanged(ctx.store(), s, copy);
    }

    private void tryCall(String volume, Runnable call) {
        try {
            call.run();
        } catch (ServiceCallException e) {
            ctx.events().warning("Volume", volume, "SnapshotSyncFailed", e.getMessage());
        }
    }
}
