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
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Keyed by volume name: syncs that volume's Snapshot resources with its engine. */
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
        return ctx.store().list(Volume.class).stream().map(Resources::name).toList();
    }

    @Override
    public Result reconcile(String volumeName) {
        Optional<Engine> engine = ctx.store().list(Engine.class, Map.of(Longhorn.LABEL_VOLUME, volumeName)).stream()
                .filter(e -> InstanceState.RUNNING.equals(e.getStatus().currentState) && e.getStatus().port > 0)
                .findFirst();
        List<Snapshot> resources = ctx.store().list(Snapshot.class, Map.of(Longhorn.LABEL_VOLUME, volumeName));
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
            String name = Resources.name(s);
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
                    ctx.store().delete(Snapshot.class, name);
                }
            }
        }
        for (SnapshotInfo info : inEngine.values()) {
            mirror(volumeName, info);
        }
        return Result.DONE;
    }

    private void mirror(String volumeName, SnapshotInfo info) {
        Snapshot s = ctx.store().get(Snapshot.class, info.name).orElse(null);
        if (s == null) {
            Snapshot fresh = Resources.create(Snapshot.class, info.name);
            Resources.labels(fresh).put(Longhorn.LABEL_VOLUME, volumeName);
            Resources.finalizers(fresh).add(Longhorn.FINALIZER);
            fresh.getSpec().volume = volumeName;
            fresh.getSpec().labels.putAll(info.labels);
            try {
                s = ctx.store().create(fresh);
            } catch (AlreadyExistsException e) {
                return;
            }
        }
        if (!volumeName.equals(s.getSpec().volume) || Resources.isDeleting(s)) {
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
