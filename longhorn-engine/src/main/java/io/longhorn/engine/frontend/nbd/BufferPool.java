package io.longhorn.engine.frontend.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import io.longhorn.api.wire.IdleRelease;

/**
 * Direct buffers for request payloads and read replies, pooled by power-of-two size class from
 * 4 KiB to the maximum payload, each with {@link #HEADROOM} spare bytes in front so that a read's
 * reply header can sit right before its data and go out in the same write.
 *
 * <p>Direct, because socket reads and writes of heap buffers copy through a temporary direct
 * buffer. Each buffer has one owner at a time (the request that took it); the owner gives it back
 * once the payload is written to the device or the reply to the socket. The pool keeps at most
 * {@code maxRetainedBytes}; beyond that, returned buffers are left to the garbage collector. What it
 * keeps is dropped when it has handed out nothing for a while ({@link IdleRelease}).
 */
final class BufferPool implements IdleRelease.Pool {

    /** Bytes in front of the payload, enough for a structured data chunk header (20 + 8). */
    static final int HEADROOM = 32;
    private static final int MIN_SHIFT = 12;

    private final ArrayDeque<ByteBuffer>[] classes;
    private final long maxRetainedBytes;
    private long retainedBytes;
    private long lastUse = System.nanoTime();

    @SuppressWarnings("unchecked")
    BufferPool(int maxPayload, long maxRetainedBytes) {
        int classCount = shift(maxPayload) - MIN_SHIFT + 1;
        this.classes = (ArrayDeque<ByteBuffer>[]) new ArrayDeque<?>[classCount];
        for (int i = 0; i < classCount; i++) {
            classes[i] = new ArrayDeque<>();
        }
        this.maxRetainedBytes = maxRetainedBytes;
    }

    /**
     * A buffer whose position is {@link #HEADROOM} and limit {@code HEADROOM + payloadLength}: the
     * payload region is {@code [position, limit)}.
     */
    ByteBuffer take(int payloadLength) {
        int index = shift(payloadLength) - MIN_SHIFT;
        ByteBuffer b;
        synchronized (this) {
            lastUse = System.nanoTime();
            b = classes[index].pollFirst();
            if (b != null) {
                retainedBytes -= b.capacity();
            }
        }
        if (b == null) {
            b = ByteBuffer.allocateDirect(HEADROOM + (1 << (index + MIN_SHIFT)));
        }
        return b.limit(HEADROOM + payloadLength).position(HEADROOM);
    }

    void give(ByteBuffer b) {
        int index = Integer.numberOfTrailingZeros(b.capacity() - HEADROOM) - MIN_SHIFT;
        synchronized (this) {
            if (retainedBytes + b.capacity() <= maxRetainedBytes) {
                retainedBytes += b.capacity();
                classes[index].addFirst(b);
            }
        }
    }

    @Override
    public synchronized long dropIfUnusedSince(long sinceNanos) {
        if (lastUse - sinceNanos > 0) {
            return 0;
        }
        long dropped = retainedBytes;
        for (ArrayDeque<ByteBuffer> c : classes) {
            c.clear();
        }
        retainedBytes = 0;
        return dropped;
    }

    synchronized long retainedBytes() {
        return retainedBytes;
    }

    /** log2 of the smallest power of two at least {@code n} and at least 4096. */
    private static int shift(int n) {
        if (n <= 1 << MIN_SHIFT) {
            return MIN_SHIFT;
        }
        return 32 - Integer.numberOfLeadingZeros(n - 1);
    }
}
