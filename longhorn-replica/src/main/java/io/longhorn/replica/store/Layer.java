package io.longhorn.replica.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One open layer file of the active chain: the head (writable) or a snapshot (read-only, except
 * while a rebuild fills it). Positional reads and writes on the channel are thread-safe.
 */
final class Layer implements AutoCloseable {
    final String file;
    final Path path;
    final FileChannel channel;
    final NativeFiles.Fd fd;
    volatile LayerMeta meta;
    /** Data extents of an immutable layer, computed on first need; null while unknown. */
    private volatile List<Extent> extents;

    private Layer(String file, Path path, FileChannel channel, NativeFiles.Fd fd, LayerMeta meta) {
        this.file = file;
        this.path = path;
        this.channel = channel;
        this.fd = fd;
        this.meta = meta;
    }

    static Layer open(Path dir, String file, LayerMeta meta) throws IOException {
        Path p = dir.resolve(file);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            return new Layer(file, p, ch, NativeFiles.open(p, true), meta);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The same open file under a new name (after a hard link made it a snapshot). */
    Layer renamed(String newFile, Path newPath, LayerMeta newMeta) {
        return new Layer(newFile, newPath, channel, fd, newMeta);
    }

    /** Reads exactly dst.remaining() bytes at pos; bytes past the end of the file read as zeros. */
    void readFully(ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                Zeros.fill(dst, dst.remaining());
                return;
            }
            pos += n;
        }
    }

    /** Reads exactly dst.remaining() bytes at pos if the page cache holds them all; else false. */
    boolean readCached(ByteBuffer dst, long pos) {
        return NativeFiles.readCached(fd, dst, pos);
    }

    void writeFully(ByteBuffer src, long pos) throws IOException {
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    List<Extent> extents() throws IOException {
        List<Extent> e = extents;
        if (e == null) {
            e = NativeFiles.dataExtents(path, Replica.BLOCK_SIZE);
            extents = e;
        }
        return e;
    }

    void forgetExtents() {
        extents = null;
    }

    /** Whether this (immutable) layer holds data anywhere in [offset, offset+length). */
    boolean hasData(long offset, long length) throws IOException {
        List<Extent> e = extents();
        int lo = 0;
        int hi = e.size() - 1;
        long end = offset + length;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Extent x = e.get(mid);
            if (x.end() <= offset) {
                lo = mid + 1;
            } else if (x.offset() >= end) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a file we only read or already fsynced loses nothing
        }
        fd.close();
    }
}
