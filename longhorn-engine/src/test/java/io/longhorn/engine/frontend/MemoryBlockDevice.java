package io.longhorn.engine.frontend;

import io.longhorn.api.wire.WireStatus;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory block device for tests. Like the controller's device, it refuses requests that are
 * not 4096-aligned (strict mode); it can complete on another thread to mimic replicas, and can
 * pause reads on command so that tests can interleave concurrent operations deterministically.
 */
public final class MemoryBlockDevice implements BlockDevice {

    private final byte[] data;
    private final boolean strict;
    private final Executor executor;
    public final AtomicInteger unalignedRefused = new AtomicInteger();
    public final AtomicInteger flushes = new AtomicInteger();
    public final AtomicInteger writes = new AtomicInteger();
    public final AtomicInteger trims = new AtomicInteger();
    public final AtomicInteger zeroes = new AtomicInteger();
    /** When set, reads wait for this future before they complete. */
    public volatile CompletableFuture<Void> readGate;
    /** Completed with the offset of each read as it arrives (for tests that wait for one). */
    public volatile CompletableFuture<Long> readArrived = new CompletableFuture<>();

    public MemoryBlockDevice(int size, boolean strict, Executor executor) {
        this.data = new byte[size];
        this.strict = strict;
        this.executor = executor;
    }

    public byte[] data() {
        return data;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        int length = dst.remaining();
        CompletableFuture<Void> refused = check(offset, length);
        if (refused != null) {
            return refused;
        }
        readArrived.complete(offset);
        CompletableFuture<Void> gate = readGate;
        if (gate != null) {
            // Copy after the gate opens, so that a concurrent write can land in between.
            return executor == null ? gate.thenRun(() -> copyOut(offset, dst, length))
                    : gate.thenRunAsync(() -> copyOut(offset, dst, length), executor);
        }
        return run(() -> copyOut(offset, dst, length));
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
        int length = src.remaining();
        CompletableFuture<Void> refused = check(offset, length);
        if (refused != null) {
            return refused;
        }
        writes.incrementAndGet();
        return run(() -> {
            synchronized (data) {
                src.get(src.position(), data, (int) offset, length);
            }
        });
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua) {
        CompletableFuture<Void> refused = check(offset, length);
        if (refused != null) {
            return refused;
        }
        zeroes.incrementAndGet();
        return run(() -> {
            synchronized (data) {
                java.util.Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
            }
        });
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length) {
        CompletableFuture<Void> refused = check(offset, length);
        if (refused != null) {
            return refused;
        }
        trims.incrementAndGet();
        return run(() -> {
            synchronized (data) {
                java.util.Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
            }
        });
    }

    @Override
    public CompletableFuture<Void> flush() {
        flushes.incrementAndGet();
        return run(() -> { });
    }

    private void copyOut(long offset, ByteBuffer dst, int length) {
        synchronized (data) {
            dst.put(dst.position(), data, (int) offset, length);
        }
    }

    private CompletableFuture<Void> check(long offset, long length) {
        if (strict && ((offset | length) & 4095) != 0) {
            unalignedRefused.incrementAndGet();
            return CompletableFuture.failedFuture(new BlockDeviceException(WireStatus.EINVAL,
                    "unaligned request: " + length + " bytes at " + offset));
        }
        if (offset < 0 || offset + length > data.length) {
            return CompletableFuture.failedFuture(new BlockDeviceException(WireStatus.EINVAL,
                    "request beyond the end: " + length + " bytes at " + offset));
        }
        return null;
    }

    private CompletableFuture<Void> run(Runnable r) {
        if (executor == null) {
            r.run();
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(r, executor);
    }
}
