package io.longhorn.backupstore.restore;

import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.source.dir.SparseFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;

/**
 * A raw image file as restore target (sparse: blocks the backup does not have stay holes). A
 * failed restore leaves {@code <file>.failed} next to it with the reason.
 */
public final class FileRestoreTarget implements RestoreTarget {
    private static final byte[] ZEROS = new byte[1024 * 1024];

    private final Path file;
    private final FileChannel channel;

    private FileRestoreTarget(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens {@code file}, creating it with {@code size} bytes (all holes) if it does not exist.
     *
     * @throws InvalidInputException when its directory does not exist
     */
    public static FileRestoreTarget open(Path file, long size) {
        if (file.getParent() != null && !Files.isDirectory(file.getParent())) {
            throw new InvalidInputException("directory " + file.getParent() + " of restore target does not exist");
        }
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            if (ch.size() < size) {
                // ftruncate extends without allocating: the file stays all holes
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(size);
                }
            }
            return new FileRestoreTarget(file, ch);
        } catch (IOException e) {
            throw new TargetIOException("cannot open restore target " + file + ": " + e.getMessage(), e);
        }
    }

    /** The marker a failed restore leaves. */
    public static Path failureMarker(Path file) {
        return file.resolveSibling(file.getFileName() + ".failed");
    }

    @Override
    public String describe() {
        return "file " + file;
    }

    @Override
    public long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new TargetIOException("cannot stat " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isEmpty() {
        try {
            return SparseFiles.dataExtents(file).isEmpty();
        } catch (IOException e) {
            throw new TargetIOException("cannot map " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<Void> write(long offset, byte[] data, int length) {
        return run(() -> writeFully(ByteBuffer.wrap(data, 0, length), offset));
    }

    @Override
    public CompletableFuture<Void> writeZeros(long offset, int length) {
        return run(() -> {
            for (int done = 0; done < length; done += ZEROS.length) {
                writeFully(ByteBuffer.wrap(ZEROS, 0, Math.min(ZEROS.length, length - done)), offset + done);
            }
        });
    }

    @Override
    public CompletableFuture<Void> flush() {
        return run(() -> channel.force(true));
    }

    private void writeFully(ByteBuffer bb, long offset) throws IOException {
        long pos = offset;
        while (bb.hasRemaining()) {
            pos += channel.write(bb, pos);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private CompletableFuture<Void> run(IoAction action) {
        try {
            action.run();
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new TargetIOException("I/O on " + file + " failed: "
                    + e.getMessage(), e));
        }
    }

    @Override
    public void markFailed(String reason) {
        try {
            Files.writeString(failureMarker(file), reason + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            // best effort: the restore's error is reported anyway
        }
    }

    @Override
    public String failure() {
        Path marker = failureMarker(file);
        if (!Files.exists(marker)) {
            return null;
        }
        try {
            return Files.readString(marker, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(" + marker + " exists but cannot be read: " + e.getMessage() + ")";
        }
    }

    @Override
    public void clearFailure() {
        try {
            Files.deleteIfExists(failureMarker(file));
        } catch (IOException e) {
            throw new TargetIOException("cannot remove the failure marker " + failureMarker(file) + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing buffered: writes went straight to the file
        }
    }
}
