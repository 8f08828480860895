package io.longhorn.engine.controller;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Counts one replica's requests in flight by the time slice they were sent in, so that a watchdog
 * ticking once per slice can tell that some request has waited longer than the replica timeout
 * without a timer per request (at 100k requests per second, timers would cost more than the I/O).
 *
 * <p>The watchdog ticks every {@code timeout / SLICES_PER_TIMEOUT}. A request counted in epoch
 * {@code e} was sent during [tick e, tick e+1), so at tick {@code k} it has waited at least
 * {@code (k - e - 1)} slices: when that is at least {@link #SLICES_PER_TIMEOUT}, it is overdue.
 * Detection therefore happens between one timeout and one timeout plus one slice (1.0625 timeouts)
 * after the request was sent, and never before a full timeout. A slot is reused after
 * {@link #SLOTS} epochs, long after its requests would have been reported.
 */
final class InflightTracker {

    static final int SLICES_PER_TIMEOUT = 16;
    private static final int SLOTS = 32;
    private static final int MASK = SLOTS - 1;

    private final AtomicIntegerArray counts = new AtomicIntegerArray(SLOTS);
    private volatile int epoch;

    /** Counts a request about to be sent; returns the token to pass to {@link #end}. */
    int begin() {
        int e = epoch;
        counts.incrementAndGet(e & MASK);
        return e;
    }

    /** The request sent with {@code token} got its answer (or failed). */
    void end(int token) {
        counts.decrementAndGet(token & MASK);
    }

    /**
     * Advances the epoch (one watchdog thread only) and says whether a request is overdue.
     */
    boolean tickAndCheckOverdue() {
        int k = epoch + 1;
        epoch = k;
        // Epochs k-31 .. k-17 hold requests that have waited at least 16 slices; k-32 shares slot k
        // and was last checked one tick ago.
        for (int e = k - (SLOTS - 1); e <= k - SLICES_PER_TIMEOUT - 1; e++) {
            if (counts.get(e & MASK) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Requests in flight (for tests and diagnostics). */
    int inflight() {
        int n = 0;
        for (int i = 0; i < SLOTS; i++) {
            n += counts.get(i);
        }
        return n;
    }
}
