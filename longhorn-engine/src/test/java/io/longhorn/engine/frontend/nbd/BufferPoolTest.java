package io.longhorn.engine.frontend.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Test
    void keepsAtMostTheRetainedBytes() {
        BufferPool pool = new BufferPool(1 << 20, 2 * (BufferPool.HEADROOM + 4096));
        ByteBuffer a = pool.take(4096);
        ByteBuffer b = pool.take(4096);
        ByteBuffer c = pool.take(100);
        pool.give(a);
        pool.give(b);
        pool.give(c);
        assertEquals(2 * (BufferPool.HEADROOM + 4096), pool.retainedBytes());
    }

    @Test
    void dropsWhatItKeepsOnlyWhenUnusedSinceTheGivenTime() {
        BufferPool pool = new BufferPool(1 << 20, 8L << 20);
        ByteBuffer small = pool.take(4096);
        ByteBuffer large = pool.take(1 << 20);
        pool.give(small);
        pool.give(large);
        long kept = pool.retainedBytes();
        assertEquals(2 * BufferPool.HEADROOM + 4096 + (1 << 20), kept);

        assertEquals(0, pool.dropIfUnusedSince(System.nanoTime() - 1_000_000_000L), "used since: nothing dropped");
        assertSame(small, pool.take(4096), "still pooled");
        pool.give(small);

        long idleSince = System.nanoTime();
        assertEquals(kept, pool.dropIfUnusedSince(idleSince));
        assertEquals(0, pool.retainedBytes());
        assertEquals(0, pool.dropIfUnusedSince(idleSince), "nothing left to drop");
        assertNotSame(small, pool.take(4096), "a new buffer after the drop");
    }
}
