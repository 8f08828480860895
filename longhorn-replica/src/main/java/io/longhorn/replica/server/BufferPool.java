package io.longhorn.replica.server;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.longhorn.api.wire.IdleRelease;

/**
 * Direct buffers for request and reply payloads, in power-of-two size classes from 4 KiB to
 * 32 MiB. Direct, because the store and the socket move bytes to and from them without another
 * copy; pooled, because allocating and freeing direct memory per request costs more than the I/O.
 * Every buffer has one owner at a time: taken by the connection that receives a payload or the
 * worker that reads, given back when the reply is in the socket. What it keeps is dropped when it
 * has handed out nothing for a while ({@link IdleRelease}).
 */
final class BufferPool implements IdleRelease.Pool {
    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 25;
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private final ConcurrentLinkedQueue<ByteBuffer>[] free;
    private final AtomicInteger[] count;
    private final int[] cap;
    /** When a buffer was last handed out; written without ordering, read only to tell idleness. */
    private long lastUse = System.nanoTime();

    @SuppressWarnings("unchecked")
    BufferPool() {
        int classes = MAX_SHIFT - MIN_SHIFT + 1;
        free = new ConcurrentLinkedQueue[classes];
        count = new AtomicInteger[classes];
        cap = new int[classes];
        for (int i = 0; i < classes; i++) {
            free[i] = new ConcurrentLinkedQueue<>();
            count[i] = new AtomicInteger();
            int size = 1 << (i + MIN_SHIFT);
            // Keep about 16 MiB per class at most, and at least two buffers.
            cap[i] = Math.max(2, Math.min(256, (16 << 20) / size));
        }
    }

    /** A buffer with position 0 and limit {@code length}. */
    ByteBuffer acquire(int length) {
        if (length == 0) {
            return EMPTY.duplicate();
        }
        int c = sizeClass(length);
        lastUse = System.nanoTime();
        ByteBuffer b = free[c].poll();
        if (b == null) {
            b = ByteBuffer.allocateDirect(1 << (c + MIN_SHIFT));
        } else {
            count[c].decrementAndGet();
        }
        return b.clear().limit(length);
    }

    void release(ByteBuffer b) {
        if (b == null || b.capacity() == 0) {
            return;
        }
        int c = sizeClass(b.capacity());
        if (count[c].incrementAndGet() <= cap[c]) {
            free[c].add(b);
        } else {
            count[c].decrementAndGet();
        }
    }

    @Override
    public long dropIfUnusedSince(long sinceNanos) {
        if (lastUse - sinceNanos > 0) {
            return 0;
        }
        long dropped = 0;
        for (int c = 0; c < free.length; c++) {
            ByteBuffer b;
            while ((b = free[c].poll()) != null) {
                count[c].decrementAndGet();
                dropped += b.capacity();
            }
        }
        return dropped;
    }

    private static int sizeClass(int length) {
        int shift = 32 - Integer.numberOfLeadingZeros(length - 1);
        if (shift > MAX_SHIFT) {
            throw new IllegalArgumentException("buffer of " + length + " bytes exceeds the pool's largest class");
        }
        return Math.max(0, shift - MIN_SHIFT);
    }
}
