package io.longhorn.engine.frontend.nbd;

import java.util.concurrent.atomic.LongAdder;

/**
 * Per-command counters of one NBD export: requests, bytes, errors and total latency (from header
 * parsed to reply queued), cheap enough to keep on the hot path.
 */
public final class NbdStats {

    /** Counters of one command type. */
    public static final class Op {
        private final LongAdder count = new LongAdder();
        private final LongAdder bytes = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private final LongAdder nanos = new LongAdder();

        void record(long payloadBytes, boolean failed, long elapsedNanos) {
            count.increment();
            if (failed) {
                errors.increment();
            } else {
                bytes.add(payloadBytes);
            }
            nanos.add(elapsedNanos);
        }

        public long count() {
            return count.sum();
        }

        public long bytes() {
            return bytes.sum();
        }

        public long errors() {
            return errors.sum();
        }

        /** Mean latency in microseconds, 0 when nothing was counted. */
        public double meanMicros() {
            long n = count.sum();
            return n == 0 ? 0 : nanos.sum() / 1000.0 / n;
        }

        @Override
        public String toString() {
            return String.format("count=%d bytes=%d errors=%d mean=%.1fus", count(), bytes(), errors(), meanMicros());
        }
    }

    private final Op read = new Op();
    private final Op write = new Op();
    private final Op flush = new Op();
    private final Op trim = new Op();
    private final Op writeZeroes = new Op();
    private final Op invalid = new Op();
    private final LongAdder connections = new LongAdder();

    public Op read() {
        return read;
    }

    public Op write() {
        return write;
    }

    public Op flush() {
        return flush;
    }

    public Op trim() {
        return trim;
    }

    public Op writeZeroes() {
        return writeZeroes;
    }

    /** Requests of unknown types. */
    public Op invalid() {
        return invalid;
    }

    /** Connections accepted since start. */
    public long connectionsAccepted() {
        return connections.sum();
    }

    void connectionAccepted() {
        connections.increment();
    }

    Op of(int type) {
        return switch (type) {
            case NbdProtocol.CMD_READ -> read;
            case NbdProtocol.CMD_WRITE -> write;
            case NbdProtocol.CMD_FLUSH -> flush;
            case NbdProtocol.CMD_TRIM -> trim;
            case NbdProtocol.CMD_WRITE_ZEROES -> writeZeroes;
            default -> invalid;
        };
    }

    @Override
    public String toString() {
        return "read[" + read + "] write[" + write + "] flush[" + flush + "] trim[" + trim
                + "] writeZeroes[" + writeZeroes + "] invalid[" + invalid + "]";
    }
}
