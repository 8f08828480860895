package io.longhorn.engine.controller;

import io.longhorn.api.wire.WireStatus;
import io.longhorn.engine.backend.ReplicaDataPath;
import io.longhorn.engine.frontend.BlockDevice;
import io.longhorn.engine.frontend.BlockDeviceException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The volume as a block device: what the frontend serves. Writes, zeroing, trims and flushes go to
 * every RW and WO replica ({@link FanOut}); reads go to one RW replica ({@link ReadOp}). Requests
 * must be aligned to {@link #BLOCK_SIZE}; the frontend wraps this device to serve unaligned ones.
 */
public final class VolumeDevice implements BlockDevice {

    public static final int BLOCK_SIZE = 4096;

    private final ReplicaSet replicas;
    private final IoGate gate;
    private volatile long size;

    VolumeDevice(ReplicaSet replicas, IoGate gate, long size) {
        this.replicas = replicas;
        this.gate = gate;
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    void size(long size) {
        this.size = size;
    }

    @Override
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        int len = dst.remaining();
        BlockDeviceException bad = check("read", offset, len);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        if (len == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return new ReadOp(replicas, gate, offset, dst).submit();
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
        int len = src.remaining();
        BlockDeviceException bad = check("write", offset, len);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        if (len == 0) {
            return fua ? flush() : CompletableFuture.completedFuture(null);
        }
        return new FanOut(replicas, gate, "write", offset, len,
                d -> d.write(offset, src, fua)).submit();
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua) {
        BlockDeviceException bad = check("write zeroes", offset, length);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return new FanOut(replicas, gate, "write zeroes", offset, length,
                d -> fua ? d.writeZeroes(offset, length).thenCompose(v -> d.flush()) : d.writeZeroes(offset, length))
                .submit();
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length) {
        BlockDeviceException bad = check("trim", offset, length);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return new FanOut(replicas, gate, "trim", offset, length,
                d -> d.unmap(offset, length)).submit();
    }

    @Override
    public CompletableFuture<Void> flush() {
        return new FanOut(replicas, gate, "flush", 0, 0, ReplicaDataPath::flush).submit();
    }

    private BlockDeviceException check(String op, long offset, long length) {
        long s = size;
        if (offset < 0 || length < 0 || offset > s || length > s - offset) {
            return new BlockDeviceException(WireStatus.EINVAL, op + " of " + length + " bytes at " + offset
                    + " is beyond the end of volume " + replicas.volume() + " (" + s + " bytes)");
        }
        if ((offset % BLOCK_SIZE) != 0 || (length % BLOCK_SIZE) != 0) {
            return new BlockDeviceException(WireStatus.EINVAL, op + " of " + length + " bytes at " + offset
                    + " on volume " + replicas.volume() + " is not aligned to " + BLOCK_SIZE + " bytes");
        }
        return null;
    }
}
