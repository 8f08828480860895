package io.longhorn.engine.controller;

import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.types.Names;
import io.longhorn.engine.backend.ReplicaControlException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Operations on the snapshot chain of every replica: create, list, remove, revert, purge, and
 * expand. Called with the controller's operation lock held.
 *
 * <p>One rule for all of them: the operation runs on every RW and WO replica at once. When it
 * fails on all RW replicas it is the request that is wrong (or the replicas are unreachable):
 * the error is returned and nobody changes mode. When it succeeds on some and fails on others, the
 * failed ones become ERR, since their chains now differ from the volume's.
 */
final class ChainOps {

    private static final Logger LOG = Logger.getLogger(ChainOps.class);

    private final VolumeController v;

    ChainOps(VolumeController v) {
        this.v = v;
    }

    /**
     * Takes a snapshot on every replica with the same name and creation time while client I/O is
     * paused.
     *
     * @param joining a replica to add in WO mode during the same pause (rebuild), or null
     */
    SnapshotResult create(String requested, Map<String, String> labels, boolean userCreated, Member joining) {
        String name = requested == null || requested.isEmpty() ? UUID.randomUUID().toString() : validName(requested);
        if (userCreated && v.rebuilds.running()) {
            throw VolumeException.precondition("cannot create snapshot " + name + " of volume " + v.name
                    + " while replica " + v.rebuilds.target() + " is rebuilding; see rebuild-status");
        }
        if (list().snapshots().stream().anyMatch(s -> s.name().equals(name))) {
            throw VolumeException.exists("snapshot " + name + " of volume " + v.name + " already exists");
        }
        String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        flushBeforePause("create snapshot " + name);
        long start = System.nanoTime();
        pause("create snapshot " + name);
        int took;
        try {
            if (joining != null) {
                v.replicas.join(joining);
            }
            List<ParallelCalls.Outcome<ReplicaInfo>> outcomes = onWritersPaused("create snapshot " + name, start,
                    m -> m.control().snapshotCreate(name, labels, userCreated, created));
            if (joining != null && okRw(outcomes) == 0) {
                v.replicas.remove(joining);
            }
            took = settle("create snapshot " + name, outcomes);
        } finally {
            v.gate.resume();
        }
        long pauseMicros = (System.nanoTime() - start) / 1000;
        LOG.infof("volume %s: snapshot %s taken on %d replicas, client I/O paused for %d us", v.name, name, took,
                pauseMicros);
        return new SnapshotResult(name, created, pauseMicros, took);
    }

    SnapshotListing list() {
        List<Member> rw = List.of(v.replicas.current().readers());
        List<ParallelCalls.Outcome<ReplicaInfo>> outcomes = ParallelCalls.run(rw, m -> m.control().info(), v.background);
        List<ReplicaInfo> infos = new ArrayList<>();
        for (ParallelCalls.Outcome<ReplicaInfo> o : outcomes) {
            if (o.ok()) {
                infos.add(o.value());
            }
        }
        if (infos.isEmpty()) {
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, "cannot list the snapshots of volume " + v.name
                    + ": no RW replica answered" + (outcomes.isEmpty() ? "" : " (" + outcomes.getFirst().error().getMessage() + ")"));
        }
        return SnapshotMerge.merge(infos);
    }

    SnapshotListing remove(String requested) {
        String name = existing(requested, "remove");
        settle("remove snapshot " + name, onWriters(m -> m.control().snapshotRemove(name)));
        LOG.infof("volume %s: snapshot %s removed", v.name, name);
        return list();
    }

    SnapshotListing revert(String requested) {
        String name = existing(requested, "revert to");
        long start = System.nanoTime();
        pause("revert to snapshot " + name);
        try {
            settle("revert to snapshot " + name, onWritersPaused("revert to snapshot " + name, start,
                    m -> m.control().snapshotRevert(name)));
        } finally {
            v.gate.resume();
        }
        LOG.infof("volume %s: reverted to snapshot %s", v.name, name);
        return list();
    }

    SnapshotListing purge() {
        notRebuilding("purge snapshots");
        settle("purge snapshots", onWriters(m -> m.control().snapshotPurge()));
        LOG.infof("volume %s: snapshots purged", v.name);
        return list();
    }

    void expand(long size) {
        long current = v.device.size();
        if (size <= current) {
            throw VolumeException.invalid("cannot expand volume " + v.name + " to " + size + " bytes: it already has "
                    + current + " bytes; the size must grow");
        }
        if (size % VolumeDevice.BLOCK_SIZE != 0) {
            throw VolumeException.invalid("cannot expand volume " + v.name + " to " + size + " bytes: not a multiple of "
                    + VolumeDevice.BLOCK_SIZE);
        }
        notRebuilding("expand");
        flushBeforePause("expand");
        long start = System.nanoTime();
        pause("expand");
        try {
            settle("expand to " + size + " bytes", onWritersPaused("expand to " + size + " bytes", start,
                    m -> m.control().expand(size)));
            v.device.size(size);
        } finally {
            v.gate.resume();
        }
        LOG.infof("volume %s: expanded from %d to %d bytes; clients see the new size when they reconnect", v.name,
                current, size);
    }

    private String validName(String name) {
        try {
            return Names.requireSnapshotName(name);
        } catch (IllegalArgumentException e) {
            throw VolumeException.invalid(e.getMessage());
        }
    }

    private String existing(String requested, String verb) {
        String name = validName(requested);
        notRebuilding(verb + " snapshot " + name);
        if (list().snapshots().stream().noneMatch(s -> s.name().equals(name))) {
            throw VolumeException.notFound("cannot " + verb + " snapshot " + name + ": volume " + v.name
                    + " has no such snapshot");
        }
        return name;
    }

    private void notRebuilding(String what) {
        if (v.rebuilds.running()) {
            throw VolumeException.precondition("cannot " + what + " on volume " + v.name + " while replica "
                    + v.rebuilds.target() + " is rebuilding; see rebuild-status");
        }
    }

    private void pause(String what) {
        try {
            v.gate.pause(v.pauseTimeout());
        } catch (TimeoutException e) {
            throw new VolumeException(VolumeException.Kind.INTERNAL, "cannot " + what + " on volume " + v.name
                    + ": client I/O did not drain: " + e.getMessage());
        }
    }

    /**
     * Flushes every replica while clients still write, so that the fsync a replica does when it
     * snapshots (its head must be durable before it becomes immutable) finds little dirty data and
     * the pause stays short. Best effort: a replica that fails here fails as any flush does.
     */
    private void flushBeforePause(String what) {
        try {
            v.device.flush().get(v.replicaTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("volume %s: flush before %s did not complete: %s", v.name, what, e.toString());
        }
    }

    /**
     * A control call on every writer while client I/O is paused: each replica gets what is left of
     * the replica timeout since the pause began (at least a quarter of it); one that has not
     * answered by then is treated as failed (settle makes it ERR) and I/O resumes.
     */
    private <T> List<ParallelCalls.Outcome<T>> onWritersPaused(String what, long pauseStart, Function<Member, T> call) {
        Duration left = v.replicaTimeout.minusNanos(System.nanoTime() - pauseStart);
        Duration floor = v.replicaTimeout.dividedBy(4);
        Duration deadline = left.compareTo(floor) < 0 ? floor : left;
        return ParallelCalls.run(List.of(v.replicas.current().writers()), call, v.background, deadline, what);
    }

    private <T> List<ParallelCalls.Outcome<T>> onWriters(Function<Member, T> call) {
        return ParallelCalls.run(List.of(v.replicas.current().writers()), call, v.background);
    }

    private static <T> int okRw(List<ParallelCalls.Outcome<T>> outcomes) {
        int n = 0;
        for (ParallelCalls.Outcome<T> o : outcomes) {
            if (o.ok() && o.member().mode() == ReplicaMode.RW) {
                n++;
            }
        }
        return n;
    }

    /** Applies the rule in the class comment; returns how many replicas succeeded. */
    private <T> int settle(String what, List<ParallelCalls.Outcome<T>> outcomes) {
        if (okRw(outcomes) == 0) {
            RuntimeException first = outcomes.stream().filter(o -> !o.ok()).map(ParallelCalls.Outcome::error)
                    .findFirst().orElse(null);
            throw failure(what, first);
        }
        int ok = 0;
        for (ParallelCalls.Outcome<T> o : outcomes) {
            if (o.ok()) {
                ok++;
            } else {
                v.replicas.fail(o.member(), what + " failed: " + o.error().getMessage());
            }
        }
        return ok;
    }

    private VolumeException failure(String what, RuntimeException e) {
        if (e == null) {
            return new VolumeException(VolumeException.Kind.UNAVAILABLE, "cannot " + what + " on volume " + v.name
                    + ": it has no RW replica");
        }
        VolumeException.Kind kind = VolumeException.Kind.INTERNAL;
        if (e instanceof ReplicaControlException rce) {
            kind = switch (rce.reason()) {
                case UNAVAILABLE -> VolumeException.Kind.UNAVAILABLE;
                case REFUSED -> VolumeException.Kind.FAILED_PRECONDITION;
                case FAILED -> VolumeException.Kind.INTERNAL;
            };
        }
        return new VolumeException(kind, "cannot " + what + " on volume " + v.name + ": " + e.getMessage(), e);
    }
}
