package io.longhorn.replica.store;

import io.longhorn.replica.store.ChecksumFile.FileState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * Snapshot data integrity: computes, stores and reports the checksum of each snapshot file of one
 * replica ({@code volume-snap-<name>.img.checksum} beside the file).
 *
 * <p>The checksum is of the snapshot's content, not of its allocation: SHA-256 over every 4 KiB
 * block that holds a non-zero byte, each fed as its offset (8 bytes, big endian) then its data.
 * Holes and blocks of zeros both contribute nothing, so two replicas holding the same data agree
 * whether a range was punched or written with zeros, and only the file's data extents are read.
 *
 * <p>Hashing never stalls I/O: it runs on one background thread, reads through its own file
 * channel without the replica's locks, and is paced to {@link #bytesPerSecond} (a snapshot file is
 * read-only, and one that changes meanwhile, e.g. by a purge coalescing into it, is detected by
 * its ctime/mtime/size before and after, and its result discarded for that round).
 */
public final class SnapshotChecksums {
    public static final String METHOD = "sha256";
    /** Default pace of hashing; {@code longhorn.replica.checksum-bytes-per-second} overrides it. */
    public static final long DEFAULT_BYTES_PER_SECOND = 128L << 20;
    private static final Logger LOG = Logger.getLogger(SnapshotChecksums.class);
    private static final int BLOCK = Replica.BLOCK_SIZE;
    private static final int CHUNK = 1 << 20;

    /** How stored checksums are trusted. */
    public enum Mode {
        /** Re-hash every snapshot file. */
        ENABLED,
        /** Re-hash only files whose ctime, mtime or size differ from the stored record. */
        FAST_CHECK;

        public static Mode parse(String s) {
            return switch (s == null ? "" : s) {
                case "enabled" -> ENABLED;
                case "fast-check" -> FAST_CHECK;
                default -> throw new InvalidArgumentException("invalid mode \"" + s
                        + "\": expected enabled or fast-check");
            };
        }
    }

    /** One file's stored checksum, and whether this call computed it. */
    public record Result(String file, ChecksumFile checksum, boolean rehashed) {
    }

    private final Replica replica;
    private final long bytesPerSecond;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("lh-checksum").unstarted(r));

    public SnapshotChecksums(Replica replica, long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("checksum rate must be positive, got " + bytesPerSecond);
        }
        this.replica = replica;
        this.bytesPerSecond = bytesPerSecond;
    }

    /** The rate from the system property, or the default. */
    public static long configuredRate() {
        String p = System.getProperty("longhorn.replica.checksum-bytes-per-second");
        return p == null || p.isBlank() ? DEFAULT_BYTES_PER_SECOND : Long.parseLong(p.trim());
    }

    /**
     * Brings every snapshot file's checksum up to date (by {@code mode}) on the background thread
     * and returns them all; calls queue behind each other.
     */
    public List<Result> refresh(Mode mode) {
        Future<List<Result>> f = worker.submit(() -> refreshNow(mode));
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new ReplicaIOException("interrupted while hashing the snapshots of replica " + replica.directory(),
                    new IOException(e));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ReplicaIOException("hashing the snapshots of replica " + replica.directory() + " failed",
                    new IOException(e.getCause()));
        }
    }

    public void close() {
        worker.shutdownNow();
    }

    private List<Result> refreshNow(Mode mode) throws IOException {
        Path dir = replica.directory();
        List<Result> out = new ArrayList<>();
        for (SnapshotInfo s : replica.snapshots()) {
            if (s.head()) {
                continue;
            }
            Path file = dir.resolve(s.file());
            Path sumFile = dir.resolve(s.file() + ChecksumFile.SUFFIX);
            ChecksumFile stored = readStored(sumFile);
            FileState before;
            try {
                before = state(file);
            } catch (NoSuchFileException e) {
                continue; // removed meanwhile
            }
            if (mode == Mode.FAST_CHECK && stored != null && stored.matches(before)) {
                out.add(new Result(s.file(), stored, false));
                continue;
            }
            String sum = hash(file);
            FileState after;
            try {
                after = state(file);
            } catch (NoSuchFileException e) {
                continue;
            }
            if (!after.equals(before)) {
                LOG.infof("replica %s: %s changed while it was hashed; its checksum waits for the next check",
                        dir, s.file());
                if (stored != null && stored.matches(after)) {
                    out.add(new Result(s.file(), stored, false));
                }
                continue;
            }
            boolean silent = stored != null && stored.matches(before) && !stored.checksum().equals(sum);
            if (silent) {
                LOG.warnf("replica %s: %s changed without a write (ctime, mtime and size as when it was hashed"
                        + " at %s): stored checksum %s, now %s", dir, s.file(), stored.lastHashedAt(),
                        stored.checksum(), sum);
            }
            ChecksumFile fresh = new ChecksumFile(METHOD, sum, before.changeTime(), before.modificationTime(),
                    before.size(), Instant.now().toString(), silent || (stored != null && stored.silentlyCorrupted()
                    && stored.checksum().equals(sum)));
            if (Files.exists(file)) {
                MetaFiles.write(sumFile, fresh);
            }
            out.add(new Result(s.file(), fresh, true));
        }
        return out;
    }

    private static ChecksumFile readStored(Path sumFile) {
        if (!Files.exists(sumFile)) {
            return null;
        }
        try {
            return MetaFiles.read(sumFile, ChecksumFile.class);
        } catch (ReplicaException e) {
            LOG.warnf("%s is unreadable, hashing again: %s", sumFile, e.getMessage());
            return null;
        }
    }

    static FileState state(Path file) throws IOException {
        FileTime ctime = (FileTime) Files.getAttribute(file, "unix:ctime");
        FileTime mtime = Files.getLastModifiedTime(file);
        return new FileState(ctime.toInstant().toString(), mtime.toInstant().toString(), Files.size(file));
    }

    /** The content checksum of one file (see the class comment), read at the configured pace. */
    String hash(Path file) throws IOException {
        MessageDigest sha = sha256();
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        ByteBuffer zero = ByteBuffer.allocateDirect(BLOCK);
        ByteBuffer offset = ByteBuffer.allocate(Long.BYTES);
        long started = System.nanoTime();
        long read = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Extent e : NativeFiles.dataExtents(file, BLOCK)) {
                long end = Math.min(e.end(), ch.size());
                for (long pos = e.offset(); pos < end; pos += CHUNK) {
                    int len = (int) Math.min(CHUNK, end - pos);
                    buf.clear().limit(len);
                    while (buf.hasRemaining()) {
                        if (ch.read(buf, pos + buf.position()) < 0) {
                            break;
                        }
                    }
                    buf.flip();
                    for (int b = 0; b < buf.limit(); b += BLOCK) {
                        ByteBuffer block = buf.slice(b, Math.min(BLOCK, buf.limit() - b));
                        if (block.mismatch(zero.duplicate().limit(block.remaining())) == -1) {
                            continue;
                        }
                        offset.clear().putLong(pos + b).flip();
                        sha.update(offset);
                        sha.update(block);
                    }
                    read += len;
                    pace(started, read);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Sleeps until {@code read} bytes are no more than the rate allows since {@code started}. */
    private void pace(long started, long read) throws IOException {
        long due = started + (long) (read * 1e9 / bytesPerSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "checksums of %s at %d B/s", replica.directory(), bytesPerSecond);
    }
}
