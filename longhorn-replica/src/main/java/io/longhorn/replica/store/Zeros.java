package io.longhorn.replica.store;

import java.nio.ByteBuffer;

/** A shared read-only buffer of zeros, for filling holes and writing zero blocks. */
final class Zeros {
    static final int SIZE = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(SIZE).asReadOnlyBuffer();

    private Zeros() {
    }

    /** Puts n zero bytes at dst's position. */
    static void fill(ByteBuffer dst, int n) {
        while (n > 0) {
            int k = Math.min(n, SIZE);
            dst.put(ZEROS.duplicate().limit(k));
            n -= k;
        }
    }

    /** A read-only buffer of n (at most SIZE) zeros. */
    static ByteBuffer of(int n) {
        return ZEROS.duplicate().limit(n);
    }
}
