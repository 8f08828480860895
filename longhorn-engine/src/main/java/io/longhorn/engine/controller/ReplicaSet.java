package io.longhorn.engine.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The replicas of one volume, their modes and the volume's generation.
 *
 * <p>The data path reads {@link #current()} (one volatile load) and never locks. Membership changes
 * (a replica fails, joins, is promoted or removed) happen under this object's monitor and publish a
 * new {@link Topology}.
 *
 * <p><b>Generations.</b> Whenever a replica stops receiving writes, the remaining RW replicas get a
 * higher generation (SetGeneration, fsynced by the replica) before any write the departed replica
 * missed is acknowledged; those writes wait for {@link Topology#sealed()}. After a crash the replicas
 * with the highest generation therefore hold every acknowledged write, and the others are stale
 * ({@link StartupRule}). Generations stay odd while an engine serves; an even generation is written
 * only at a clean shutdown. Generation changes run one after another on a chain, so a replica never
 * sees them out of order. WO replicas never get a generation from a seal: until their rebuild is
 * finished their own generation must stay below the volume's.
 */
public final class ReplicaSet {

    private static final Logger LOG = Logger.getLogger(ReplicaSet.class);

    private final String volume;
    private final Executor background;
    private final List<Member> members = new ArrayList<>();
    private volatile Topology topology;
    private long generation;
    private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    /** Round robin position; races between threads only skew the balance. */
    private int readCursor;

    /**
     * @param generation the generation already recorded on every RW member
     * @param background runs blocking control calls and closes connections
     */
    public ReplicaSet(String volume, List<Member> initial, long generation, Executor background) {
        this.volume = volume;
        this.background = background;
        this.generation = generation;
        this.members.addAll(initial);
        this.topology = build(CompletableFuture.completedFuture(null));
    }

    public String volume() {
        return volume;
    }

    Topology current() {
        return topology;
    }

    /** The next RW member to read from, or null when there is none. */
    Member nextReader(Topology t) {
        Member[] readers = t.readers();
        if (readers.length == 0) {
            return null;
        }
        int i = readCursor++;
        return readers[Math.floorMod(i, readers.length)];
    }

    public synchronized List<Member> members() {
        return List.copyOf(members);
    }

    public synchronized long generation() {
        return generation;
    }

    public synchronized Member find(String address) {
        for (Member m : members) {
            if (m.address().equals(address)) {
                return m;
            }
        }
        return null;
    }

    /**
     * Takes a failed replica out of service: ERR, connection closed, and (if it was RW) a new
     * generation for the others.
     *
     * @return completes when acknowledging a write this replica missed is safe
     */
    public CompletableFuture<Void> fail(Member m, String reason) {
        synchronized (this) {
            if (m.mode() == ReplicaMode.ERR || !members.contains(m)) {
                return topology.sealed();
            }
            boolean wasRw = m.mode() == ReplicaMode.RW;
            m.mode(ReplicaMode.ERR);
            m.error(reason);
            LOG.warnf("volume %s: replica %s is now ERR: %s", volume, m.address(), reason);
            publish(wasRw);
            if (!topology.hasReaders()) {
                LOG.errorf("volume %s: no RW replica left, I/O fails until a replica is back", volume);
            }
        }
        closeDataPath(m);
        return topology.sealed();
    }

    /** Adds a replica in WO mode: it receives writes from the next request on. */
    synchronized void join(Member m) {
        if (m.mode() != ReplicaMode.WO) {
            throw new IllegalArgumentException("replica " + m.address() + " must join as WO, not " + m.mode());
        }
        members.add(m);
        publish(false);
    }

    /**
     * Removes a replica from the volume altogether (also an ERR one).
     *
     * @return completes when the remaining replicas carry the new generation
     */
    public CompletableFuture<Void> remove(Member m) {
        boolean wasRw;
        synchronized (this) {
            if (!members.remove(m)) {
                return topology.sealed();
            }
            wasRw = m.mode() == ReplicaMode.RW;
            if (m.mode() != ReplicaMode.ERR) {
                m.mode(ReplicaMode.ERR);
                m.error("removed");
            }
            publish(wasRw);
        }
        closeDataPath(m);
        background.execute(() -> m.control().close());
        return topology.sealed();
    }

    /**
     * Makes a rebuilt WO member RW: records the volume's generation on it, tells it the rebuild is
     * finished, then lets it serve reads. Runs on the generation chain so that no generation change
     * is lost in between.
     *
     * @param finish the replica-side end of the rebuild (RebuildFinish), called after the generation
     *               is recorded, so that a crash in between leaves it marked rebuilding
     */
    public CompletableFuture<Void> promote(Member m, Runnable finish) {
        CompletableFuture<Void> step;
        synchronized (this) {
            step = chain.handle((v, e) -> null).thenRunAsync(() -> doPromote(m, finish), background);
            chain = step.handle((v, e) -> null);
        }
        return step;
    }

    private void doPromote(Member m, Runnable finish) {
        long g;
        synchronized (this) {
            checkWo(m);
            g = generation;
        }
        m.control().setGeneration(g);
        m.generation(g);
        finish.run();
        while (true) {
            synchronized (this) {
                checkWo(m);
                if (g == generation) {
                    m.mode(ReplicaMode.RW);
                    publish(false);
                    LOG.infof("volume %s: replica %s is now RW (generation %d)", volume, m.address(), g);
                    return;
                }
                g = generation;
            }
            // A replica failed meanwhile and the others moved on: catch up before serving.
            m.control().setGeneration(g);
            m.generation(g);
        }
    }

    private void checkWo(Member m) {
        if (m.mode() != ReplicaMode.WO || !members.contains(m)) {
            throw new IllegalStateException("replica " + m.address() + " is " + m.mode() + ", no longer rebuilding");
        }
    }

    /**
     * Records a generation on every RW member (at start and at a clean shutdown), in turn with any
     * other generation change. Members that cannot record it become ERR.
     *
     * @return completes when done
     */
    CompletableFuture<Void> recordGeneration(long g) {
        synchronized (this) {
            publishGeneration(g);
            return topology.sealed();
        }
    }

    /** Completes when every generation change asked for so far is done. */
    synchronized CompletableFuture<Void> settled() {
        return chain;
    }

    /** With the monitor held: publishes the members' current modes, with a new generation if asked. */
    private void publish(boolean bump) {
        if (!bump) {
            topology = build(topology.sealed());
            return;
        }
        publishGeneration(generation + 2);
    }

    /** With the monitor held: a new topology with generation {@code g}, sealed once it is recorded. */
    private void publishGeneration(long g) {
        generation = g;
        CompletableFuture<Void> sealed = new CompletableFuture<>();
        topology = build(sealed);
        Member[] readers = topology.readers();
        CompletableFuture<Void> step = chain.handle((v, e) -> null)
                .thenComposeAsync(v -> seal(readers, g), background);
        chain = step.handle((v, e) -> null);
        step.whenComplete((v, e) -> sealed.complete(null));
    }

    private Topology build(CompletableFuture<Void> sealed) {
        List<Member> writers = new ArrayList<>();
        List<Member> readers = new ArrayList<>();
        for (Member m : members) {
            if (m.mode() == ReplicaMode.RW) {
                readers.add(m);
                writers.add(m);
            } else if (m.mode() == ReplicaMode.WO) {
                writers.add(m);
            }
        }
        return new Topology(writers.toArray(Member[]::new), readers.toArray(Member[]::new), generation, sealed);
    }

    /** Records {@code g} on each member in parallel; one that cannot becomes ERR. */
    private CompletableFuture<Void> seal(Member[] readers, long g) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[readers.length];
        for (int i = 0; i < readers.length; i++) {
            Member m = readers[i];
            calls[i] = CompletableFuture.runAsync(() -> {
                if (m.mode() != ReplicaMode.RW) {
                    return;
                }
                try {
                    m.control().setGeneration(g);
                    m.generation(g);
                } catch (RuntimeException e) {
                    fail(m, "cannot record generation " + g + ": " + e.getMessage());
                }
            }, background);
        }
        return CompletableFuture.allOf(calls).thenRun(() ->
                LOG.infof("volume %s: generation %d recorded on %d replicas", volume, g, readers.length));
    }

    private void closeDataPath(Member m) {
        if (m.data() != null) {
            background.execute(() -> m.data().close());
        }
    }
}
