package io.longhorn.engine.frontend.nbd;

import io.longhorn.api.wire.WireStatus;
import io.longhorn.engine.frontend.BlockDevice;
import io.longhorn.engine.frontend.BlockDeviceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A file-backed block device for tests: positional I/O on a thread pool, so requests complete out
 * of order like replica requests do, and it refuses unaligned requests like the controller does.
 */
final class FileBlockDevice implements BlockDevice, AutoCloseable {

    private final FileChannel file;
    private final long size;
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "file-device");
        t.setDaemon(true);
        return t;
    });

    FileBlockDevice(Path path, long size) throws IOException {
        this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        this.size = size;
        if (file.size() < size) {
            file.truncate(size);
            file.write(ByteBuffer.allocate(1), size - 1);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        return io(offset, dst.remaining(), () -> {
            ByteBuffer b = dst.duplicate();
            long at = offset;
            while (b.hasRemaining()) {
                int n = file.read(b, at);
                if (n < 0) {
                    throw new BlockDeviceException(WireStatus.EIO, "short read at " + at);
                }
                at += n;
            }
        });
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
        return io(offset, src.remaining(), () -> {
            ByteBuffer b = src.duplicate();
            long at = offset;
            while (b.hasRemaining()) {
                at += file.write(b, at);
            }
            if (fua) {
                file.force(false);
            }
        });
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua) {
        return io(offset, length, () -> {
            ByteBuffer zero = ByteBuffer.allocate(64 * 1024);
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(zero.capacity(), length - done);
                zero.clear().limit(n);
                while (zero.hasRemaining()) {
                    file.write(zero, offset + done + zero.position());
                }
                done += n;
            }
        });
    }

    @Override
    public CompletableFuture<Void> trim(long offset, long length) {
        return io(offset, length, () -> { });
    }

    @Override
    public CompletableFuture<Void> flush() {
        return io(0, 0, () -> file.force(false));
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private CompletableFuture<Void> io(long offset, long length, IoAction action) {
        if (((offset | length) & 4095) != 0) {
            return CompletableFuture.failedFuture(new BlockDeviceException(WireStatus.EINVAL,
                    "unaligned request: " + length + " bytes at " + offset));
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                action.run();
                f.complete(null);
            } catch (IOException e) {
                f.completeExceptionally(e instanceof BlockDeviceException ? e
                        : new BlockDeviceException(WireStatus.EIO, e.toString(), e));
            }
        });
        return f;
    }

    @Override
    public void close() throws IOException {
        pool.shutdownNow();
        file.close();
    }
}
