package io.longhorn.engine.controller;

import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.types.Address;
import io.longhorn.engine.backend.ReplicaControl;
import io.longhorn.engine.backend.ReplicaControlException;
import io.longhorn.engine.backend.ReplicaDataPath;
import io.longhorn.api.replica.Extent;
import io.longhorn.engine.rebuild.RebuildException;
import io.longhorn.engine.rebuild.RebuildProgress;
import io.longhorn.engine.rebuild.ReplicaSync;
import io.longhorn.engine.rebuild.SnapshotOrder;
import io.longhorn.engine.rebuild.SourceChooser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Adds and removes replicas, and runs rebuilds: a replica joins in WO mode and takes a system
 * snapshot together with the others during one I/O pause, then its snapshot files are copied from
 * an RW replica ({@link ReplicaSync}) while clients keep writing to all, and finally it becomes RW.
 * One rebuild job runs at a time; add and remove are called with the operation lock held.
 */
final class RebuildCoordinator {

    private static final Logger LOG = Logger.getLogger(RebuildCoordinator.class);

    private final VolumeController v;
    private final Map<String, RebuildProgress> progress = new LinkedHashMap<>();
    private volatile List<Member> job;
    private volatile Member current;
    private volatile boolean stopping;

    RebuildCoordinator(VolumeController v) {
        this.v = v;
    }

    boolean running() {
        return job != null;
    }

    /** The replica being rebuilt, for messages. */
    String target() {
        Member m = current;
        return m == null ? "" : m.address();
    }

    synchronized List<RebuildProgress> progress() {
        return List.copyOf(progress.values());
    }

    void add(String requested) {
        Address address = parse(requested);
        String addr = address.toString();
        if (running()) {
            throw VolumeException.precondition("cannot add replica " + addr + " to volume " + v.name
                    + ": replica " + target() + " is still rebuilding; see rebuild-status");
        }
        Member existing = v.replicas.find(addr);
        if (existing != null && existing.mode() != ReplicaMode.ERR) {
            throw VolumeException.exists("replica " + addr + " is already " + existing.mode() + " in volume " + v.name);
        }
        ReplicaControl control = v.connector.control(address);
        Member m;
        try {
            ReplicaInfo info = control.info();
            check(addr, info);
            markRebuilding(control, info);
            ReplicaDataPath data = v.connector.data(address, info, v.replicas.generation());
            m = new Member(addr, data.address(), control, data, ReplicaMode.WO,
                    info.getGeneration());
        } catch (ReplicaControlException e) {
            control.close();
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, "cannot add replica " + addr + " to volume "
                    + v.name + ": " + e.getMessage(), e);
        } catch (IOException e) {
            control.close();
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, "cannot add replica " + addr + " to volume "
                    + v.name + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            control.close();
            throw e;
        }
        if (existing != null) {
            v.replicas.remove(existing);
        }
        String snapshot = "rebuild-" + UUID.randomUUID().toString().substring(0, 13);
        try {
            v.chain.create(snapshot, Map.of(), false, m);
        } catch (RuntimeException e) {
            v.replicas.remove(m);
            throw e;
        }
        if (m.mode() != ReplicaMode.WO) {
            String why = m.error();
            v.replicas.remove(m);
            throw new VolumeException(VolumeException.Kind.INTERNAL, "cannot add replica " + addr + " to volume "
                    + v.name + ": " + why);
        }
        LOG.infof("volume %s: replica %s joined as WO, rebuilding from snapshot %s", v.name, addr, snapshot);
        start(List.of(m));
    }

    /** At start: replicas that may differ from the source are resynchronised like new ones. */
    void resync(List<Member> targets) {
        for (Member t : targets) {
            try {
                markRebuilding(t.control(), t.control().info());
            } catch (RuntimeException e) {
                v.replicas.fail(t, "cannot mark it rebuilding: " + e.getMessage());
            }
        }
        String snapshot = "rebuild-" + UUID.randomUUID().toString().substring(0, 13);
        v.chain.create(snapshot, Map.of(), false, null);
        List<Member> still = targets.stream().filter(t -> t.mode() == ReplicaMode.WO).toList();
        if (!still.isEmpty()) {
            start(still);
        }
    }

    void remove(String requested) {
        String addr = parse(requested).toString();
        Member m = v.replicas.find(addr);
        if (m == null) {
            throw VolumeException.notFound("volume " + v.name + " has no replica " + addr);
        }
        if (m.mode() == ReplicaMode.RW && v.replicas.current().readers().length == 1) {
            throw VolumeException.precondition("cannot remove replica " + addr + ": it is the only RW replica of volume "
                    + v.name);
        }
        try {
            v.replicas.remove(m).get(v.replicaTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("volume %s: replica %s removed, but recording the new generation did not finish: %s", v.name,
                    addr, e.toString());
        }
        LOG.infof("volume %s: replica %s removed", v.name, addr);
    }

    void stop() {
        stopping = true;
    }

    /**
     * Marks a replica rebuilding before it receives its first write: RebuildPrepare with the
     * snapshots it already has keeps them all. From then on it writes explicit zeros for every
     * write-zeroes and trim, even where its own layers hold nothing, because the rebuild will fill
     * its snapshot files underneath the head afterwards; a replica not yet marked would skip such
     * blocks (or punch them) and the copied snapshot data would show through. The mark also keeps
     * it from serving after a crash until a rebuild finished.
     */
    private static void markRebuilding(ReplicaControl control, ReplicaInfo info) {
        control.rebuildPrepare(SnapshotOrder.parentsFirst(info.getSnapshotsList()));
    }

    private void check(String addr, ReplicaInfo info) {
        long size = v.device.size();
        if (info.getSize() != size) {
            throw VolumeException.invalid("cannot add replica " + addr + " to volume " + v.name + ": its size is "
                    + info.getSize() + " bytes, the volume's is " + size);
        }
        if (!info.getError().isEmpty()) {
            throw VolumeException.precondition("cannot add replica " + addr + " to volume " + v.name
                    + ": it reports an error: " + info.getError());
        }
        long g = v.replicas.generation();
        if (info.getGeneration() >= g) {
            // Only a replica known to be behind may receive writes before its rebuild marks it:
            // one at or above our generation would look current after a crash.
            throw VolumeException.precondition("cannot add replica " + addr + " to volume " + v.name
                    + ": its generation " + info.getGeneration() + " is not below the volume's " + g
                    + "; it belongs to another engine");
        }
    }

    private Address parse(String requested) {
        try {
            Address a = Address.parse(requested);
            if (a.isUnix()) {
                throw new IllegalArgumentException("invalid replica address \"" + requested + "\": use tcp://host:port");
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw VolumeException.invalid(e.getMessage());
        }
    }

    private void start(List<Member> targets) {
        synchronized (this) {
            for (Member t : targets) {
                progress.remove(t.address());
                progress.put(t.address(), new RebuildProgress(t.address()));
            }
        }
        job = targets;
        v.background.execute(() -> {
            try {
                for (Member t : targets) {
                    current = t;
                    rebuild(t);
                }
            } finally {
                current = null;
                job = null;
            }
        });
    }

    /** Runs the rebuild's last comparison with client I/O paused. */
    private List<Extent> whilePaused(Supplier<List<Extent>> check) {
        try {
            v.gate.pause(v.pauseTimeout());
        } catch (TimeoutException e) {
            throw new RebuildException("rebuild of replica " + target() + " of volume " + v.name
                    + ": client I/O did not drain for the final comparison: " + e.getMessage());
        }
        try {
            return check.get();
        } finally {
            v.gate.resume();
        }
    }

    private void rebuild(Member t) {
        RebuildProgress p;
        synchronized (this) {
            p = progress.get(t.address());
        }
        try {
            List<SourceChooser.Candidate> candidates = new ArrayList<>();
            for (Member m : v.replicas.members()) {
                candidates.add(new SourceChooser.Candidate(m.address(), m.mode() == ReplicaMode.RW, m.generation()));
            }
            String sourceAddress = SourceChooser.choose(candidates, t.address());
            Member source = sourceAddress == null ? null : v.replicas.find(sourceAddress);
            if (source == null) {
                throw new IllegalStateException("no RW replica to copy from");
            }
            p.source(sourceAddress);
            ReplicaInfo info = source.control().info();
            new ReplicaSync(v.name, source.control(), t.control(), p,
                    () -> stopping || t.mode() != ReplicaMode.WO || source.mode() != ReplicaMode.RW,
                    this::whilePaused).run(info.getSnapshotsList());
            if (source.mode() != ReplicaMode.RW) {
                throw new IllegalStateException("source replica " + sourceAddress + " failed during the rebuild");
            }
            v.replicas.promote(t, () -> t.control().rebuildFinish()).join();
            p.complete();
            LOG.infof("volume %s: replica %s rebuilt from %s: %d of %d bytes differed and were copied", v.name,
                    t.address(), sourceAddress, p.copied(), p.total());
        } catch (RuntimeException e) {
            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            String why = c.getMessage();
            p.fail(why);
            v.replicas.fail(t, "rebuild failed: " + why);
            LOG.errorf("volume %s: rebuild of replica %s failed: %s", v.name, t.address(), why);
        }
    }
}
