package io.longhorn.api.wire;

import io.longhorn.api.types.Durations;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Gives the payload buffers of a data server back to the system once the server has gone quiet.
 *
 * <p>A node runs an engine and its replicas for every attached volume, and most volumes are idle
 * most of the time. Under load each process pools direct buffers (tens of MiB), so that a request
 * does not pay for allocating and freeing native memory; kept after the load, they would be paid
 * for by every idle volume. Every {@code period}, each pool that handed out no buffer for a whole
 * {@code idle} interval drops the buffers it keeps. Their memory returns when the collector finds
 * them unreachable; a pooled buffer has usually lived long enough to be in the old generation,
 * which an idle process may never collect, so after dropping anything this runs one full
 * collection (a few milliseconds on these heaps, and the process is idle). It also lets the heap
 * shrink back after the load. The pools fill again with the next requests.
 *
 * <p>{@code -Dlonghorn.data.idle-release} sets {@code idle} (default {@code 10s}; {@code 0}
 * turns it off).
 */
public final class IdleRelease implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(IdleRelease.class.getName());
    private static final String PROPERTY = "longhorn.data.idle-release";
    private static final Duration DEFAULT_IDLE = Duration.ofSeconds(10);

    /** A pool of buffers that can drop what it keeps. */
    public interface Pool {
        /**
         * Drops the buffers this pool keeps if it handed none out since {@code sinceNanos} (a
         * {@link System#nanoTime()} value); returns the bytes dropped (0 when busy or empty).
         */
        long dropIfUnusedSince(long sinceNanos);
    }

    private final String owner;
    private final List<Pool> pools;
    private final long idleNanos;
    private final ScheduledExecutorService timer;

    private IdleRelease(String owner, List<Pool> pools, Duration idle) {
        this.owner = owner;
        this.pools = List.copyOf(pools);
        this.idleNanos = idle.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("lh-idle-release").unstarted(r));
        long periodMillis = Math.max(1, idle.toMillis() / 2);
        timer.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts releasing the pools of {@code owner} (named in the log) after {@code idle} without use
     * ({@link #configuredIdle()} in the services); returns null when {@code idle} is zero (off).
     */
    public static IdleRelease start(String owner, Duration idle, Pool... pools) {
        if (idle.isNegative()) {
            throw new IllegalArgumentException("idle must not be negative, got " + idle);
        }
        return idle.isZero() ? null : new IdleRelease(owner, List.of(pools), idle);
    }

    /** The idle time from {@code -Dlonghorn.data.idle-release}: a number of seconds or with ms, s, m. */
    public static Duration configuredIdle() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_IDLE;
        }
        return parse(value.strip());
    }

    /** {@code 0} (off), or a positive duration as {@link Durations} reads it. */
    static Duration parse(String value) {
        try {
            return Durations.parseZeroOrPositive(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + ": " + e.getMessage() + ", or 0 to turn it off", e);
        }
    }

    /** One round: drop the pools unused for the idle time; collect once if anything was dropped. */
    void check() {
        long since = System.nanoTime() - idleNanos;
        long dropped = 0;
        for (Pool p : pools) {
            dropped += p.dropIfUnusedSince(since);
        }
        if (dropped > 0) {
            System.gc();
            long kib = dropped >> 10;
            LOG.log(Level.FINE, () -> owner + ": idle, gave back " + kib + " KiB of buffers");
        }
    }

    /** Stops; a round that is running finishes first. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning(owner + ": the idle release did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
