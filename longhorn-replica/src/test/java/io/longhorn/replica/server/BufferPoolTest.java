package io.longhorn.replica.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Test
    void reusesAReturnedBuffer() {
        BufferPool pool = new BufferPool();
        ByteBuffer a = pool.acquire(5000);
        assertEquals(8192, a.capacity());
        assertEquals(5000, a.limit());
        pool.release(a);
        assertSame(a, pool.acquire(8000));
    }

    @Test
    void dropsWhatItKeepsOnlyWhenUnusedSinceTheGivenTime() {
        BufferPool pool = new BufferPool();
        ByteBuffer small = pool.acquire(4096);
        ByteBuffer large = pool.acquire(1 << 20);
        pool.release(small);
        pool.release(large);
        long afterUse = System.nanoTime();
        long beforeUse = afterUse - 1_000_000_000L;

        assertEquals(0, pool.dropIfUnusedSince(beforeUse), "used after that time: nothing dropped");
        assertSame(small, pool.acquire(4096), "still pooled");
        pool.release(small);

        long idleSince = System.nanoTime();
        assertEquals(4096 + (1 << 20), pool.dropIfUnusedSince(idleSince));
        assertEquals(0, pool.dropIfUnusedSince(idleSince), "nothing left to drop");
        assertNotSame(small, pool.acquire(4096), "a new buffer after the drop");
        assertNotSame(large, pool.acquire(1 << 20));
    }
}
