package io.longhorn.engine.frontend;

import io.longhorn.api.wire.WireStatus;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Serves requests of any offset and length on a {@link BlockDevice} that accepts only
 * {@value #BLOCK}-aligned ones (the replicas refuse unaligned I/O).
 *
 * <p>Aligned requests pass straight through. An unaligned request is split into a partial head
 * block, an aligned middle and a partial tail block. Reads of partial blocks read the whole block
 * into a scratch buffer and copy the wanted bytes. Writes and zeroes of partial blocks
 * read-modify-write the block under a per-block lock ({@link BlockGate}), so two concurrent partial
 * writes to one block (from different connections) both survive; whole-block writes only wait when
 * a read-modify-write is busy on one of their blocks, and never wait for each other. Trims of
 * partial blocks are dropped: a trim is a hint, and keeping the bytes is always a valid outcome.
 *
 * <p>Assumes the inner device's size is a multiple of {@value #BLOCK} (volume sizes are); range
 * checks against the size are the caller's (the NBD server's) job.
 */
public final class AligningBlockDevice implements BlockDevice {

    /** The alignment the inner device requires. */
    public static final int BLOCK = 4096;
    private static final int MAX_POOLED_SCRATCH = 64;
    private static final byte[] ZEROES = new byte[BLOCK];

    private final BlockDevice inner;
    private final BlockGate gate = new BlockGate();
    private final ArrayDeque<ByteBuffer> scratch = new ArrayDeque<>();

    public AligningBlockDevice(BlockDevice inner) {
        if (inner == null) {
            throw new IllegalArgumentException("inner block device is null");
        }
        this.inner = inner;
    }

    /** The wrapped device. */
    public BlockDevice inner() {
        return inner;
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        int length = dst.remaining();
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        if (aligned(offset, length)) {
            return inner.read(offset, dst);
        }
        int base = dst.position();
        Split s = Split.of(offset, length);
        CompletableFuture<Void> head = s.headLength == 0 ? null
                : readPartial(offset, s.headLength, dst, base);
        CompletableFuture<Void> middle = s.middleLength == 0 ? null
                : inner.read(s.middleOffset, dst.slice(base + (int) (s.middleOffset - offset), (int) s.middleLength));
        CompletableFuture<Void> tail = s.tailLength == 0 ? null
                : readPartial(s.tailOffset, s.tailLength, dst, base + (int) (s.tailOffset - offset));
        return all(head, middle, tail);
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
        int length = src.remaining();
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        int base = src.position();
        if (aligned(offset, length)) {
            return whole(offset, length, () -> inner.write(offset, src.slice(base, length), fua));
        }
        Split s = Split.of(offset, length);
        CompletableFuture<Void> head = s.headLength == 0 ? null
                : modifyPartial(offset, s.headLength, src, base, fua);
        CompletableFuture<Void> middle = s.middleLength == 0 ? null
                : whole(s.middleOffset, s.middleLength, () -> inner.write(s.middleOffset,
                        src.slice(base + (int) (s.middleOffset - offset), (int) s.middleLength), fua));
        CompletableFuture<Void> tail = s.tailLength == 0 ? null
                : modifyPartial(s.tailOffset, s.tailLength, src, base + (int) (s.tailOffset - offset), fua);
        return all(head, middle, tail);
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua) {
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        if (aligned(offset, length)) {
            return whole(offset, length, () -> inner.writeZeroes(offset, length, fua));
        }
        Split s = Split.of(offset, length);
        CompletableFuture<Void> head = s.headLength == 0 ? null
                : modifyPartial(offset, s.headLength, null, 0, fua);
        CompletableFuture<Void> middle = s.middleLength == 0 ? null
                : whole(s.middleOffset, s.middleLength, () -> inner.writeZeroes(s.middleOffset, s.middleLength, fua));
        CompletableFuture<Void> tail = s.tailLength == 0 ? null
                : modifyPartial(s.tailOffset, s.tailLength, null, 0, fua);
        return all(head, middle, tail);
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length) {
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        if (aligned(offset, length)) {
            return whole(offset, length, () -> inner.trim(offset, length));
        }
        Split s = Split.of(offset, length);
        if (s.middleLength == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return whole(s.middleOffset, s.middleLength, () -> inner.trim(s.middleOffset, s.middleLength));
    }

    @Override
    public CompletableFuture<Void> flush() {
        return inner.flush();
    }

    /** Claims and locks held or awaited right now; zero when idle. For tests. */
    int pendingClaims() {
        return gate.size();
    }

    private static boolean aligned(long offset, long length) {
        return ((offset | length) & (BLOCK - 1)) == 0;
    }

    /** Runs a whole-block mutation under a shared claim on its blocks. */
    private CompletableFuture<Void> whole(long offset, long length, Supplier<CompletableFuture<Void>> op) {
        CompletableFuture<BlockGate.Claim> claimed = gate.shared(offset / BLOCK, (offset + length) / BLOCK);
        if (claimed.isDone()) {
            // Common case, no read-modify-write in the way: no extra stage.
            BlockGate.Claim claim = claimed.join();
            return guarded(op).whenComplete((v, t) -> gate.release(claim));
        }
        return claimed.thenCompose(claim -> guarded(op).whenComplete((v, t) -> gate.release(claim)));
    }

    private CompletableFuture<Void> readPartial(long offset, int length, ByteBuffer dst, int dstIndex) {
        long block = offset & -BLOCK;
        ByteBuffer tmp = takeScratch();
        return guarded(() -> inner.read(block, tmp))
                .whenComplete((v, t) -> {
                    if (t == null) {
                        dst.put(dstIndex, tmp, (int) (offset - block), length);
                    }
                    giveScratch(tmp);
                });
    }

    /**
     * Read-modify-write of the bytes [offset, offset + length) of one block, from {@code src} at
     * {@code srcIndex}, or zeroes when {@code src} is null.
     */
    private CompletableFuture<Void> modifyPartial(long offset, int length, ByteBuffer src, int srcIndex, boolean fua) {
        long block = offset & -BLOCK;
        int within = (int) (offset - block);
        return gate.exclusive(block / BLOCK).thenCompose(claim -> {
            ByteBuffer tmp = takeScratch();
            return guarded(() -> inner.read(block, tmp))
                    .thenCompose(v -> {
                        if (src == null) {
                            tmp.put(within, ZEROES, 0, length);
                        } else {
                            tmp.put(within, src, srcIndex, length);
                        }
                        return guarded(() -> inner.write(block, tmp.clear(), fua));
                    })
                    .whenComplete((v, t) -> {
                        giveScratch(tmp);
                        gate.release(claim);
                    });
        });
    }

    /** Turns an exception thrown by the inner device into a failed future. */
    private static CompletableFuture<Void> guarded(Supplier<CompletableFuture<Void>> op) {
        try {
            CompletableFuture<Void> f = op.get();
            if (f == null) {
                return CompletableFuture.failedFuture(
                        new BlockDeviceException(WireStatus.EIO, "block device returned no future"));
            }
            return f;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletableFuture<Void> all(CompletableFuture<Void> a, CompletableFuture<Void> b,
                                               CompletableFuture<Void> c) {
        CompletableFuture<Void> first = a != null ? a : b;
        CompletableFuture<Void> second = a != null ? b : null;
        CompletableFuture<Void> result = first != null ? first : c;
        if (first != null && second != null) {
            result = CompletableFuture.allOf(first, second);
        }
        if (first != null && c != null) {
            result = CompletableFuture.allOf(result, c);
        }
        // allOf fails with a CompletionException wrapping the first failure; callers unwrap it.
        return result;
    }

    private ByteBuffer takeScratch() {
        synchronized (scratch) {
            ByteBuffer b = scratch.pollFirst();
            if (b != null) {
                return b.clear();
            }
        }
        return ByteBuffer.allocateDirect(BLOCK);
    }

    private void giveScratch(ByteBuffer b) {
        synchronized (scratch) {
            if (scratch.size() < MAX_POOLED_SCRATCH) {
                scratch.addFirst(b);
            }
        }
    }

    /** How an unaligned range splits into a partial head, whole-block middle and partial tail. */
    private record Split(int headLength, long middleOffset, long middleLength, long tailOffset, int tailLength) {

        static Split of(long offset, long length) {
            long end = offset + length;
            long firstWhole = (offset + BLOCK - 1) & -BLOCK;
            long lastWhole = end & -BLOCK;
            if (firstWhole > lastWhole) {
                // Inside one block: all of it is the "head".
                return new Split((int) length, 0, 0, 0, 0);
            }
            return new Split((int) (firstWhole - offset), firstWhole, lastWhole - firstWhole,
                    lastWhole, (int) (end - lastWhole));
        }
    }
}
