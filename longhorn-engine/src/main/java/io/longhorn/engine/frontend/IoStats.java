package io.longhorn.engine.frontend;

import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * I/O counters of one volume as its clients see it: per operation, requests, bytes, errors and the
 * sum of their latencies, from the moment a frontend parsed a request to the moment its reply was
 * ready. The volume owns one for its whole life, so the counters survive frontend stop and start;
 * they start from zero when the engine starts.
 *
 * <p>Recording is a few {@link LongAdder} additions: no lock and no allocation per request, and
 * threads completing requests at once do not contend on one cache line. A {@link #snapshot()} sums
 * each adder separately, so while requests complete it may count a request in one field and not yet
 * in another; the next snapshot is consistent again. Rates computed from two snapshots are off by at
 * most the requests completing at that moment.
 */
public final class IoStats {

    /** Counters of one operation type. */
    public static final class Op {
        private final LongAdder count = new LongAdder();
        private final LongAdder bytes = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private final LongAdder nanos = new LongAdder();

        private Op() {
        }

        /**
         * Counts one request. Bytes are counted only when it succeeded (a failed read moved no data);
         * its latency is counted either way, so errors are visible in the mean.
         */
        public void record(long requestBytes, boolean failed, long elapsedNanos) {
            count.increment();
            if (failed) {
                errors.increment();
            } else {
                bytes.add(requestBytes);
            }
            nanos.add(elapsedNanos);
        }

        public Counters counters() {
            return new Counters(count.sum(), bytes.sum(), errors.sum(), nanos.sum());
        }
    }

    /**
     * Totals of one operation type since the engine started.
     *
     * @param count        requests completed, failed ones included
     * @param bytes        bytes of the requests that succeeded (for trim and write-zeroes: the range length)
     * @param errors       requests that failed
     * @param latencyNanos sum of the requests' latencies in nanoseconds
     */
    public record Counters(long count, long bytes, long errors, long latencyNanos) {
        public static final Counters ZERO = new Counters(0, 0, 0, 0);

        /** Mean latency in microseconds, 0 when nothing was counted. */
        public double meanMicros() {
            return count == 0 ? 0 : latencyNanos / 1000.0 / count;
        }
    }

    /**
     * All counters at one moment.
     *
     * @param id          identifies this set of counters; a new one (engine restart) starts from zero
     * @param uptimeNanos monotonic nanoseconds since the counters started, when this snapshot was taken:
     *                    what rates are computed against
     */
    public record Snapshot(String id, long uptimeNanos, Counters read, Counters write, Counters flush, Counters trim,
                           Counters writeZeroes) {
    }

    private final String id = UUID.randomUUID().toString();
    private final long origin = System.nanoTime();
    private final Op read = new Op();
    private final Op write = new Op();
    private final Op flush = new Op();
    private final Op trim = new Op();
    private final Op writeZeroes = new Op();

    public Op read() {
        return read;
    }

    public Op write() {
        return write;
    }

    public Op flush() {
        return flush;
    }

    /** Discards (NBD trim). */
    public Op trim() {
        return trim;
    }

    public Op writeZeroes() {
        return writeZeroes;
    }

    public Snapshot snapshot() {
        return new Snapshot(id, System.nanoTime() - origin, read.counters(), write.counters(), flush.counters(),
                trim.counters(), writeZeroes.counters());
    }

    @Override
    public String toString() {
        Snapshot s = snapshot();
        return "read" + s.read() + " write" + s.write() + " flush" + s.flush() + " trim" + s.trim()
                + " writeZeroes" + s.writeZeroes();
    }
}
