package io.longhorn.manager.service;

import io.longhorn.api.engine.Snapshot;
import io.longhorn.api.engine.SnapshotListResponse;
import io.longhorn.manager.client.EngineClient;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Ids;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.controller.snapshot.SnapshotNames;
import io.longhorn.manager.model.SnapshotStatus;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Snapshot requests, carried out by the volume's running engine: create, list (a tree, with the
 * volume head), get, delete, revert, purge. Listing (and getting) also works for a detached volume,
 * from its Snapshot resources.
 */
public final class SnapshotService {
    /** The name Longhorn lists the writable head under. */
    public static final String HEAD = "volume-head";

    private final ControllerContext ctx;
    private final VolumeService volumes;

    public SnapshotService(ControllerContext ctx, VolumeService volumes) {
        this.ctx = ctx;
        this.volumes = volumes;
    }

    /** One snapshot as the API shows it. */
    public record SnapshotView(String name, String parent, List<String> children, boolean removed, boolean usercreated,
                               String created, long size, Map<String, String> labels) {
    }

    /** The volume service this one works through. */
    public VolumeService volumes() {
        return volumes;
    }

    public SnapshotView create(String volume, String name, Map<String, String> labels) {
        String n = name == null || name.isEmpty() ? UUID.randomUUID().toString() : Validation.snapshotName("name", name);
        Map<String, String> l = labels == null ? Map.of() : labels;
        EngineClient engine = engine(volume);
        if (name != null && !name.isEmpty() && find(engine, volume, n).isPresent()) {
            throw new ConflictStateException("NotUnique", "snapshot " + n + " of volume " + volume + " already exists");
        }
        requireRoomForSnapshot(volume);
        String created = call(volume, engine, e -> e.snapshotCreate(n, l)).getName();
        ctx.events().normal("Volume", volume, "SnapshotCreated", "snapshot " + created + " of volume " + volume + " created");
        return find(engine, volume, created).orElseThrow(() -> new NotFoundException("snapshot " + created
                + " of volume " + volume + " vanished after creation"));
    }

    /**
     * Refuses a new snapshot when the volume has {@code snapshot-max-count} already. Every snapshot
     * layer counts, those marked removed too: they are files in the chain until a purge coalesces them.
     */
    private void requireRoomForSnapshot(String volume) {
        long max = ctx.settings().integer(SettingNames.SNAPSHOT_MAX_COUNT);
        long count = list(volume).stream().filter(s -> !HEAD.equals(s.name())).count();
        if (count >= max) {
            throw new ConflictStateException("TooManySnapshots", "volume " + volume + " has " + count
                    + " snapshots and snapshot-max-count is " + max + ": delete snapshots (and purge the removed ones)"
                    + " before taking another");
        }
    }

    /**
     * Every snapshot, parents before children, followed by the volume head. Read from the running
     * engine; while the volume has none (detached), from its Snapshot resources, which keep what the
     * engine last reported.
     */
    public List<SnapshotView> list(String volume) {
        Volume v = volumes.get(volume);
        Optional<Engine> running = runningEngine(volume);
        if (running.isEmpty() || v.getSpec().nodeID.isEmpty()) {
            return fromResources(volume);
        }
        EngineClient engine = engine(volume);
        SnapshotListResponse resp = call(volume, engine, EngineClient::snapshotList);
        List<SnapshotView> out = new ArrayList<>();
        for (Snapshot s : resp.getSnapshotsList()) {
            out.add(view(s));
        }
        out.add(new SnapshotView(HEAD, resp.getHeadParent(), List.of(), false, false, "", 0, Map.of()));
        return out;
    }

    public SnapshotView get(String volume, String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("name", "name of the snapshot is required");
        }
        return list(volume).stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new NotFoundException("snapshot " + name + " of volume " + volume + " not found"));
    }

    public void delete(String volume, String name) {
        requireSnapshot(volume, name);
        EngineClient engine = engine(volume);
        call(volume, engine, e -> e.snapshotRemove(name));
        ctx.events().normal("Volume", volume, "SnapshotDeleted", "snapshot " + name + " of volume " + volume + " deleted");
    }

    public void revert(String volume, String name) {
        Volume v = volumes.get(volume);
        if (name != null && !name.isEmpty() && !HEAD.equals(name)
                && (runningEngine(volume).isEmpty() || v.getSpec().nodeID.isEmpty())) {
            throw new ConflictStateException("volume " + volume + " is detached: attach it in maintenance mode"
                    + " (attach with disableFrontend=true) to revert to snapshot " + name
                    + ": a revert goes through the engine, and clients must not see data change under them");
        }
        requireSnapshot(volume, name);
        if (!v.getSpec().disableFrontend) {
            throw new ConflictStateException("volume " + volume + " must be attached in maintenance mode"
                    + " (attach with disableFrontend=true) to revert to a snapshot: clients must not see data change under them");
        }
        EngineClient engine = engine(volume);
        call(volume, engine, e -> e.snapshotRevert(name));
        ctx.events().normal("Volume", volume, "SnapshotReverted", "volume " + volume + " reverted to snapshot " + name);
    }

    public void purge(String volume) {
        EngineClient engine = engine(volume);
        call(volume, engine, EngineClient::snapshotPurge);
    }

    private void requireSnapshot(String volume, String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("name", "name of the snapshot is required");
        }
        if (HEAD.equals(name)) {
            throw new InvalidInputException("name", "volume-head is the writable head, not a snapshot");
        }
        if (find(engine(volume), volume, name).isEmpty()) {
            throw new NotFoundException("snapshot " + name + " of volume " + volume + " not found");
        }
    }

    private Optional<SnapshotView> find(EngineClient engine, String volume, String name) {
        return call(volume, engine, EngineClient::snapshotList).getSnapshotsList().stream()
                .filter(s -> s.getName().equals(name)).findFirst().map(SnapshotService::view);
    }

    private static SnapshotView view(Snapshot s) {
        return new SnapshotView(s.getName(), s.getParent(), List.copyOf(s.getChildrenList()), s.getRemoved(),
                s.getUserCreated(), s.getCreated(), s.getActualSize(), Map.copyOf(s.getLabelsMap()));
    }

    /** The tree as the volume's Snapshot resources record it (the volume head last). */
    private List<SnapshotView> fromResources(String volume) {
        Map<String, SnapshotView> byName = new LinkedHashMap<>();
        String headParent = "";
        List<io.longhorn.manager.model.Snapshot> resources = new ArrayList<>(ctx.store()
                .list(io.longhorn.manager.model.Snapshot.class, Map.of(Longhorn.LABEL_VOLUME, volume)));
        resources.removeIf(Resources::isDeleting);
        resources.sort(Comparator.comparing((io.longhorn.manager.model.Snapshot r) -> r.getStatus().creationTime)
                .thenComparing(SnapshotNames::snapshotName));
        for (io.longhorn.manager.model.Snapshot r : resources) {
            String name = SnapshotNames.snapshotName(r);
            SnapshotStatus st = r.getStatus();
            if (st.children.containsKey(HEAD)) {
                headParent = name;
            }
            List<String> children = st.children.keySet().stream().filter(c -> !HEAD.equals(c)).toList();
            byName.put(name, new SnapshotView(name, st.parent, children, st.markRemoved, st.userCreated,
                    st.creationTime, st.size, Map.copyOf(st.labels)));
        }
        // Parents before children: roots first, then each one's children in creation order.
        List<SnapshotView> out = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        Deque<SnapshotView> todo = new ArrayDeque<>();
        byName.values().stream().filter(s -> s.parent().isEmpty() || !byName.containsKey(s.parent()))
                .forEach(todo::add);
        while (!todo.isEmpty()) {
            SnapshotView s = todo.removeFirst();
            if (!placed.add(s.name())) {
                continue;
            }
            out.add(s);
            byName.values().stream().filter(c -> c.parent().equals(s.name())).forEach(todo::add);
        }
        byName.values().stream().filter(s -> !placed.contains(s.name())).forEach(out::add);
        out.add(new SnapshotView(HEAD, headParent, List.of(), false, false, "", 0, Map.of()));
        return out;
    }

    private Optional<Engine> runningEngine(String volume) {
        return ctx.store().list(Engine.class, Map.of(Longhorn.LABEL_VOLUME, volume)).stream()
                .filter(e -> InstanceState.RUNNING.equals(e.getStatus().currentState) && e.getStatus().port > 0)
                .findFirst();
    }

    /** The client of the volume's running engine; 409 when the volume is not attached. */
    EngineClient engine(String volume) {
        Volume v = volumes.get(volume);
        Optional<Engine> engine = runningEngine(volume);
        if (engine.isEmpty() || v.getSpec().nodeID.isEmpty()) {
            throw new ConflictStateException("volume " + volume + " is not attached: snapshot operations need its engine"
                    + " (state " + v.getStatus().state + ")");
        }
        return ctx.engines().forAddress(engine.get().getStatus().ip + ":" + engine.get().getStatus().port);
    }

    private static <T> T call(String volume, EngineClient engine, Function<EngineClient, T> f) {
        try {
            return f.apply(engine);
        } catch (ServiceCallException e) {
            if (e.notFound()) {
                throw new NotFoundException(e.getMessage());
            }
            if (e.invalidArgument()) {
                throw new ConflictStateException(e.getMessage());
            }
            throw new UnavailableException("engine of volume " + volume + ": " + e.getMessage(), e);
        }
    }

    /** A name for a snapshot taken by a recurring job: {@code <job>-<8 hex>}, cut to 63 characters. */
    public static String jobSnapshotName(String job) {
        String suffix = "-" + Ids.hex(4);
        String base = job.length() + suffix.length() > 63 ? job.substring(0, 63 - suffix.length()) : job;
        return base + suffix;
    }
}
