package io.longhorn.replica.server;

import io.longhorn.api.wire.Hello;
import io.longhorn.replica.store.FencedException;
import io.longhorn.replica.store.InvalidArgumentException;
import io.longhorn.replica.store.ReplicaException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * Keeps an old engine from writing once a newer one took the replica over (split brain after a
 * pause or a partition). The rules, all checked at connect time or when a generation is recorded,
 * never per request:
 * <ul>
 *   <li>A data connection starts with a {@link Hello}: volume, engine id, generation. It is refused
 *       when it names another volume than the one the replica serves (bound by the first hello that
 *       names one), when its generation is below the one recorded on the replica, or equal to it
 *       while another engine that recorded it still has connections open.</li>
 *   <li>Recording a generation ({@code SetGeneration}) never lowers it, and an engine may not
 *       record the generation another one recorded. Before it is recorded, every connection of
 *       every other engine is closed, its requests not yet started are refused (EPERM) and the
 *       ones already writing are waited for: once the call returns, no other engine can change a
 *       byte of the replica.</li>
 *   <li>A reader (a hello with {@link io.longhorn.api.wire.Frame#FLAG_READ_ONLY}, a backup) is
 *       admitted at any generation and never fenced: every write on its connection is refused.</li>
 * </ul>
 * The owner (the engine that recorded the generation last) is kept in memory only: after a restart
 * of the replica process the generation alone guards it, and every engine lost its connections.
 */
final class Fence {
    private static final Logger LOG = Logger.getLogger(Fence.class);
    /** How long a fenced engine's writes in progress may take to finish before recording fails. */
    static final Duration DRAIN = Duration.ofSeconds(30);

    private final BlockTarget target;
    private String volume;
    private String owner;

    Fence(BlockTarget target) {
        this.target = target;
    }

    /**
     * Admits a connection that introduced itself with {@code hello}.
     *
     * @throws FencedException          when its generation is behind
     * @throws InvalidArgumentException when it names another volume
     */
    synchronized void admit(DataConnection c, Hello hello, Collection<DataConnection> connections) {
        if (!hello.volume().isEmpty()) {
            if (volume == null) {
                volume = hello.volume();
            } else if (!volume.equals(hello.volume())) {
                throw new InvalidArgumentException(target.describe() + " serves volume " + volume + ", not "
                        + hello.volume());
            }
        }
        if (hello.readOnly()) {
            // A reader changes nothing (its writes are refused), so no generation concerns it.
            c.admit(hello);
            return;
        }
        long current = target.generation();
        if (hello.generation() < current) {
            throw new FencedException(hello + " is behind generation " + current + " recorded on "
                    + target.describe() + (owner == null ? "" : " by engine " + owner));
        }
        if (hello.generation() == current && owner != null && !owner.equals(hello.engine())
                && hasOpen(owner, connections)) {
            throw new FencedException(hello + ": engine " + owner + " recorded generation " + current + " on "
                    + target.describe() + " and still serves it");
        }
        c.admit(hello);
    }

    /**
     * Records {@code generation} for {@code engine}, after fencing off every other engine.
     *
     * @throws FencedException    when the generation is below the recorded one, or equal to the one
     *                            another engine recorded
     * @throws ReplicaException   when a fenced engine's writes in progress do not finish in time
     */
    synchronized void record(long generation, String engine, Collection<DataConnection> connections) {
        long current = target.generation();
        if (generation < current) {
            throw new FencedException("generation " + generation + " of engine " + engine + " is below generation "
                    + current + " recorded on " + target.describe() + "; a replica's generation never goes down");
        }
        if (generation == current && owner != null && !owner.equals(engine)) {
            throw new FencedException("generation " + generation + " was recorded on " + target.describe()
                    + " by engine " + owner + ", not by engine " + engine);
        }
        List<DataConnection> fenced = new ArrayList<>();
        for (DataConnection c : connections) {
            Hello h = c.hello();
            if (h != null && !h.readOnly() && !h.engine().equals(engine)) {
                c.fence();
                fenced.add(c);
            }
        }
        long deadline = System.nanoTime() + DRAIN.toNanos();
        for (DataConnection c : fenced) {
            if (!c.awaitIdle(deadline)) {
                throw new ReplicaException("writes of " + c.hello() + " on " + target.describe()
                        + " did not finish within " + DRAIN + "; generation " + generation + " not recorded");
            }
            LOG.warnf("%s: closed the data connection of %s: engine %s records generation %d", target.describe(),
                    c.hello(), engine, generation);
        }
        target.setGeneration(generation);
        owner = engine;
    }

    private static boolean hasOpen(String engine, Collection<DataConnection> connections) {
        for (DataConnection c : connections) {
            Hello h = c.hello();
            if (h != null && !h.readOnly() && h.engine().equals(engine) && c.connection().isOpen()) {
                return true;
            }
        }
        return false;
    }
}
