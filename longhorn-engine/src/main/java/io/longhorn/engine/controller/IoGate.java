package io.longhorn.engine.controller;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Semaphore;

/**
 * Lets the controller stop client I/O for a moment (snapshot, expand, revert, a replica joining):
 * {@link #pause} waits until every request in flight has its replica answers and holds new ones
 * back; {@link #resume} sends them on.
 *
 * <p>The data path pays one atomic increment and one decrement per request and takes no lock:
 * a request first counts itself in flight, then looks at the flag. The pauser sets the flag, then
 * looks at the count. Both are sequentially consistent, so either the pauser sees the request
 * (and waits for it) or the request sees the flag (and steps back).
 */
final class IoGate {

    private final AtomicLong inflight = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> deferred = new ConcurrentLinkedQueue<>();
    /** One pause at a time; released by resume, which may run on another thread. */
    private final Semaphore pauser = new Semaphore(1);
    private volatile boolean paused;
    private volatile CompletableFuture<Void> drained;

    /** True when the caller may send its request now; it must call {@link #exit} when answered. */
    boolean tryEnter() {
        inflight.incrementAndGet();
        if (!paused) {
            return true;
        }
        exit();
        return false;
    }

    /** Holds {@code retry} until the gate opens; it runs then on the resuming thread. */
    void defer(Runnable retry) {
        deferred.add(retry);
        // The gate may have opened between tryEnter and add: then nobody else will run it.
        if (!paused) {
            runDeferred();
        }
    }

    void exit() {
        if (inflight.decrementAndGet() == 0 && paused) {
            CompletableFuture<Void> d = drained;
            if (d != null) {
                d.complete(null);
            }
        }
    }

    /**
     * Closes the gate and waits until nothing is in flight. The caller must call
     * {@link #resume} afterwards; on timeout the gate is open again and the exception says so.
     */
    void pause(Duration timeout) throws TimeoutException {
        pauser.acquireUninterruptibly();
        CompletableFuture<Void> d = new CompletableFuture<>();
        drained = d;
        paused = true;
        if (inflight.get() == 0) {
            d.complete(null);
        }
        try {
            d.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            resume();
            throw new TimeoutException(inflight.get() + " requests still in flight after " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            resume();
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted while waiting for requests in flight");
        } catch (ExecutionException e) {
            resume();
            throw new IllegalStateException(e);
        }
    }

    void resume() {
        paused = false;
        drained = null;
        pauser.release();
        runDeferred();
    }

    boolean isPaused() {
        return paused;
    }

    long inflight() {
        return inflight.get();
    }

    private void runDeferred() {
        Runnable r;
        while (!paused && (r = deferred.poll()) != null) {
            r.run();
        }
    }
}
