package io.longhorn.manager.testing;

import io.longhorn.api.engine.IoStats;
import io.longhorn.api.engine.RebuildStatusResponse;
import io.longhorn.api.engine.Replica;
import io.longhorn.api.engine.ReplicaListResponse;
import io.longhorn.api.engine.ReplicaMode;
import io.longhorn.api.engine.Snapshot;
import io.longhorn.api.engine.SnapshotCreateResponse;
import io.longhorn.api.engine.SnapshotListResponse;
import io.longhorn.api.engine.Volume;
import io.longhorn.manager.client.EngineClient;
import io.longhorn.manager.client.ServiceCallException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An engine in memory: replica modes (an added replica is WO until the next volume info, then RW),
 * a snapshot chain, a size, and a frontend that can be stopped.
 */
public final class FakeEngine implements EngineClient {
    /** Snapshot state of a volume; outlives engine restarts, as the replicas' files do. */
    static final class Chain {
        final Map<String, Snapshot> snapshots = new LinkedHashMap<>();
        String head = "";
        final AtomicLong clock = new AtomicLong(Instant.parse("2024-01-01T00:00:00Z").getEpochSecond());
        long size;
        /** The generation the last engine start recorded. */
        long generation;
    }

    private final String volume;
    private final String control;
    private final String endpoint;
    private final FakeEngines all;
    private final Chain chain;
    private final Map<String, ReplicaMode> modes = new LinkedHashMap<>();
    private boolean frontendRunning;
    private IoStats ioStats;
    private volatile boolean unreachable;

    FakeEngine(String volume, String control, String endpoint, long size, Chain chain, FakeEngines all) {
        this.volume = volume;
        this.control = control;
        this.endpoint = endpoint;
        this.chain = chain;
        this.all = all;
        this.frontendRunning = !endpoint.isEmpty();
        synchronized (chain) {
            if (chain.size < size) {
                chain.size = size;
            }
        }
    }

    public String volume() {
        return volume;
    }

    synchronized void start(String replica) {
        modes.put(replica, all.replicaRuns(replica) ? ReplicaMode.RW : ReplicaMode.ERR);
    }

    synchronized void replicaFailed(String address) {
        if (modes.containsKey(address)) {
            modes.put(address, ReplicaMode.ERR);
        }
    }

    /** The client I/O counters the engine reports from now on (none until set). */
    public synchronized void setIoStats(IoStats stats) {
        ioStats = stats;
    }

    /** Makes every call fail as if the engine did not answer. */
    public void setUnreachable(boolean u) {
        unreachable = u;
    }

    public synchronized Map<String, ReplicaMode> modes() {
        return Map.copyOf(modes);
    }

    private void check() {
        if (unreachable) {
            throw new ServiceCallException("engine " + control + " does not answer", true, false, false, null);
        }
    }

    @Override
    public synchronized Volume volumeInfo() {
        check();
        Volume v = build();
        // A rebuild finishes by the next look.
        if (!all.rebuildsHeld()) {
            modes.replaceAll((a, m) -> m == ReplicaMode.WO && all.replicaRuns(a) ? ReplicaMode.RW : m);
        }
        return v;
    }

    private Volume build() {
        Volume.Builder b = Volume.newBuilder().setName(volume).setSize(chain.size).setSectorSize(4096)
                .setFrontend(endpoint.isEmpty() ? "none" : "nbd").setEndpoint(frontendRunning ? endpoint : "")
                .setFrontendRunning(frontendRunning).setGeneration(chain.generation);
        boolean rebuilding = false;
        for (Map.Entry<String, ReplicaMode> e : modes.entrySet()) {
            b.addReplicas(Replica.newBuilder().setAddress(e.getKey()).setMode(e.getValue()));
            rebuilding |= e.getValue() == ReplicaMode.WO;
        }
        long rw = modes.values().stream().filter(m -> m == ReplicaMode.RW).count();
        b.setRebuilding(rebuilding).setState(rw == 0 ? "faulted" : rw == modes.size() ? "healthy" : "degraded");
        if (ioStats != null) {
            b.setIoStats(ioStats);
        }
        return b.build();
    }

    private ReplicaListResponse list() {
        ReplicaListResponse.Builder b = ReplicaListResponse.newBuilder();
        modes.forEach((a, m) -> b.addReplicas(Replica.newBuilder().setAddress(a).setMode(m)));
        return b.build();
    }

    @Override
    public synchronized ReplicaListResponse replicaAdd(String address) {
        check();
        if (!all.replicaRuns(address)) {
            throw new ServiceCallException("replica " + address + " does not answer", false, false, false, null);
        }
        if (!modes.containsValue(ReplicaMode.RW)) {
            throw new ServiceCallException("no RW replica to rebuild " + address + " from", false, true, false, null);
        }
        modes.put(address, ReplicaMode.WO);
        return list();
    }

    @Override
    public synchronized ReplicaListResponse replicaRemove(String address) {
        check();
        modes.remove(address);
        return list();
    }

    @Override
    public synchronized RebuildStatusResponse rebuildStatus() {
        check();
        return RebuildStatusResponse.getDefaultInstance();
    }

    @Override
    public SnapshotCreateResponse snapshotCreate(String name, Map<String, String> labels) {
        check();
        synchronized (chain) {
            String n = name.isEmpty() ? UUID.randomUUID().toString() : name;
            if (chain.snapshots.containsKey(n)) {
                throw new ServiceCallException("snapshot " + n + " already exists", false, true, false, null);
            }
            String created = Instant.ofEpochSecond(chain.clock.incrementAndGet()).truncatedTo(ChronoUnit.SECONDS).toString();
            chain.snapshots.put(n, Snapshot.newBuilder().setName(n).setParent(chain.head).setCreated(created)
                    .putAllLabels(labels).setUserCreated(true).setActualSize(4096).build());
            if (!chain.head.isEmpty()) {
                Snapshot parent = chain.snapshots.get(chain.head);
                chain.snapshots.put(chain.head, parent.toBuilder().addChildren(n).build());
            }
            chain.head = n;
            return SnapshotCreateResponse.newBuilder().setName(n).setCreated(created).build();
        }
    }

    @Override
    public SnapshotListResponse snapshotList() {
        check();
        synchronized (chain) {
            return SnapshotListResponse.newBuilder().addAllSnapshots(chain.snapshots.values()).setHeadParent(chain.head).build();
        }
    }

    @Override
    public SnapshotListResponse snapshotRemove(String name) {
        check();
        synchronized (chain) {
            Snapshot s = chain.snapshots.remove(name);
            if (s == null) {
                throw new ServiceCallException("snapshot " + name + " not found", false, false, true, null);
            }
            // Children of the removed snapshot now hang off its parent (the layers were merged).
            List<String> children = new ArrayList<>(s.getChildrenList());
            for (String c : children) {
                chain.snapshots.put(c, chain.snapshots.get(c).toBuilder().setParent(s.getParent()).build());
            }
            if (!s.getParent().isEmpty()) {
                Snapshot p = chain.snapshots.get(s.getParent());
                List<String> pc = new ArrayList<>(p.getChildrenList());
                pc.remove(name);
                pc.addAll(children);
                chain.snapshots.put(p.getName(), p.toBuilder().clearChildren().addAllChildren(pc).build());
            }
            if (chain.head.equals(name)) {
                chain.head = s.getParent();
            }
            return snapshotList();
        }
    }

    @Override
    public SnapshotListResponse snapshotRevert(String name) {
        check();
        synchronized (this) {
            if (frontendRunning) {
                throw new ServiceCallException("revert needs the frontend stopped", false, true, false, null);
            }
        }
        synchronized (chain) {
            if (!chain.snapshots.containsKey(name)) {
                throw new ServiceCallException("snapshot " + name + " not found", false, false, true, null);
            }
            chain.head = name;
            return snapshotList();
        }
    }

    @Override
    public SnapshotListResponse snapshotPurge() {
        check();
        return snapshotList();
    }

    @Override
    public synchronized Volume expand(long size) {
        check();
        synchronized (chain) {
            if (size < chain.size) {
                throw new ServiceCallException("cannot shrink", false, true, false, null);
            }
            chain.size = size;
        }
        return build();
    }

    @Override
    public synchronized Volume frontendStop() {
        check();
        frontendRunning = false;
        return build();
    }

    @Override
    public synchronized Volume frontendStart() {
        check();
        frontendRunning = !endpoint.isEmpty();
        return build();
    }

    /** Snapshot names, oldest first. */
    public List<String> snapshotNames() {
        synchronized (chain) {
            return List.copyOf(chain.snapshots.keySet());
        }
    }

    public long size() {
        synchronized (chain) {
            return chain.size;
        }
    }
}
