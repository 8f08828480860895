package io.longhorn.engine.controller;

import io.longhorn.engine.backend.ReplicaConnector;
import io.longhorn.engine.frontend.Frontend;
import io.longhorn.engine.frontend.IoStats;
import io.longhorn.engine.rebuild.RebuildProgress;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * One volume: its replicas, its block device, its frontend, and every operation on the volume as a
 * whole. Operations that change the chain or the membership are serialized by one lock; the data
 * path never takes it. Created by {@link VolumeStarter}.
 */
public final class VolumeController implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VolumeController.class);

    final String name;
    final ReplicaSet replicas;
    final IoGate gate;
    final VolumeDevice device;
    final ReplicaConnector connector;
    final ExecutorService background;
    final Duration replicaTimeout;
    private final ReentrantLock opLock = new ReentrantLock();
    private final FrontendFactory frontends;
    /** What clients did through any of the volume's frontends since the engine started. */
    private final IoStats io = new IoStats();
    private final Watchdog watchdog;
    final ChainOps chain;
    final RebuildCoordinator rebuilds;
    /** Written under the operation lock; read without it (info must answer during long operations). */
    private volatile Frontend frontend;
    private volatile String endpoint = "";
    private volatile boolean stopped;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile String salvaged = "";

    VolumeController(String name, ReplicaSet replicas, IoGate gate, long size, ReplicaConnector connector,
                     ExecutorService background, Duration replicaTimeout, FrontendFactory frontends) {
        this.name = name;
        this.replicas = replicas;
        this.gate = gate;
        this.device = new VolumeDevice(replicas, gate, size);
        this.connector = connector;
        this.background = background;
        this.replicaTimeout = replicaTimeout;
        this.frontends = frontends;
        this.watchdog = new Watchdog(replicas, replicaTimeout);
        this.chain = new ChainOps(this);
        this.rebuilds = new RebuildCoordinator(this);
    }

    public String name() {
        return name;
    }

    /** What this start gave up by salvaging (see {@link StartupRule}), or "" when it was no salvage. */
    public String salvaged() {
        return salvaged;
    }

    void salvaged(String what) {
        this.salvaged = what;
    }

    /** The block device the frontend serves (4096-aligned requests only). */
    public VolumeDevice device() {
        return device;
    }

    public VolumeStatus status() {
        List<ReplicaStatus> rs = replicaStatus();
        long rw = rs.stream().filter(r -> r.mode() == ReplicaMode.RW).count();
        String state = rw == 0 ? "faulted" : rw == rs.size() ? "healthy" : "degraded";
        boolean running = frontend != null;
        return new VolumeStatus(name, device.size(), VolumeDevice.BLOCK_SIZE, frontends.kind(), endpoint, running,
                replicas.generation(), rs, rebuilds.running(), state, io.snapshot());
    }

    /** Client I/O counters of the volume, kept across frontend stop and start. */
    public IoStats ioStats() {
        return io;
    }

    public List<ReplicaStatus> replicaStatus() {
        return replicas.members().stream().map(ReplicaStatus::of).toList();
    }

    /** Adds a replica in WO mode and starts its rebuild; returns once the rebuild runs. */
    public void addReplica(String address) {
        locked("add replica " + address, () -> rebuilds.add(address));
    }

    public void removeReplica(String address) {
        locked("remove replica " + address, () -> rebuilds.remove(address));
    }

    public List<RebuildProgress> rebuildStatus() {
        return rebuilds.progress();
    }

    public SnapshotResult snapshot(String snapshotName, Map<String, String> labels) {
        return locked("create snapshot", () -> chain.create(snapshotName, labels, true, null));
    }

    public SnapshotListing snapshots() {
        return chain.list();
    }

    public SnapshotListing removeSnapshot(String snapshotName) {
        return locked("remove snapshot " + snapshotName, () -> chain.remove(snapshotName));
    }

    public SnapshotListing revert(String snapshotName) {
        return locked("revert to snapshot " + snapshotName, () -> {
            if (frontend != null) {
                throw VolumeException.precondition("cannot revert volume " + name + " while its frontend serves "
                        + endpoint + ": stop the frontend first (frontend stop)");
            }
            return chain.revert(snapshotName);
        });
    }

    public SnapshotListing purge() {
        return locked("purge snapshots", chain::purge);
    }

    public void expand(long size) {
        locked("expand", () -> chain.expand(size));
    }

    /** Starts serving clients; nothing happens when already serving. */
    public void startFrontend() throws IOException {
        opLock.lock();
        try {
            if (frontend != null || stopped) {
                return;
            }
            Frontend f = frontends.create(device, io);
            if (f == null) {
                return;
            }
            f.start();
            frontend = f;
            endpoint = f.endpoint();
            LOG.infof("volume %s: frontend serving at %s", name, endpoint);
        } finally {
            opLock.unlock();
        }
    }

    /** Stops serving clients: closes their connections once their requests are answered. */
    public void stopFrontend() {
        opLock.lock();
        try {
            if (frontend == null) {
                return;
            }
            frontend.close();
            frontend = null;
            endpoint = "";
            LOG.infof("volume %s: frontend stopped", name);
        } finally {
            opLock.unlock();
        }
    }

    public String endpoint() {
        return endpoint;
    }

    /**
     * Clean shutdown: stops the frontend, flushes every replica and records an even generation on
     * those that flushed, so that the next start knows they are identical.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            // Shutdown hooks and the main thread both close: the second waits for the first, so
            // that the process does not end before the clean generation is recorded.
            try {
                closed.await(replicaTimeout.toMillis() * 8 + 30_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            shutdown();
        } finally {
            closed.countDown();
        }
    }

    private void shutdown() {
        stopFrontend();
        opLock.lock();
        try {
            stopped = true;
            rebuilds.stop();
            watchdog.close();
            try {
                device.flush().get(replicaTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
                replicas.settled().get(replicaTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
                long g = StartupRule.cleanGeneration(replicas.generation());
                replicas.recordGeneration(g).get(replicaTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
                LOG.infof("volume %s: shut down cleanly at generation %d", name, g);
            } catch (Exception e) {
                LOG.warnf("volume %s: not shut down cleanly (the next start resynchronises replicas): %s", name, e);
            }
            for (Member m : replicas.members()) {
                if (m.data() != null) {
                    m.data().close();
                }
                m.control().close();
            }
            background.shutdownNow();
        } finally {
            opLock.unlock();
        }
    }

    private void locked(String what, Runnable op) {
        locked(what, () -> {
            op.run();
            return null;
        });
    }

    private <T> T locked(String what, Supplier<T> op) {
        boolean got;
        try {
            got = opLock.tryLock(replicaTimeout.toMillis() * 4 + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VolumeException(VolumeException.Kind.INTERNAL, "interrupted waiting to " + what + " on volume " + name);
        }
        if (!got) {
            throw VolumeException.precondition("cannot " + what + " on volume " + name
                    + ": another operation on the volume is still running");
        }
        try {
            if (stopped) {
                throw VolumeException.precondition("volume " + name + " is shutting down");
            }
            return op.get();
        } finally {
            opLock.unlock();
        }
    }

    /**
     * Longest wait for requests in flight when pausing I/O: half the replica timeout, so that the
     * drain and the control calls made while paused (which get what is left of the timeout) keep a
     * whole pause within one replica timeout. A pause that cannot drain in time is given up, I/O
     * goes on, and the operation fails; the watchdog deals with the replica that holds it.
     */
    Duration pauseTimeout() {
        return replicaTimeout.dividedBy(2);
    }
}
