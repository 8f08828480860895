package io.longhorn.csi.userspace;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jboss.logging.Logger;

/**
 * An engine's NBD export shown as one file, {@code <mount point>/nbd}, in a FUSE file system this
 * process serves: the userspace path of a node whose kernel has no NBD client puts a loop device
 * over that file. Reads and writes of the file are reads and writes of the export; {@code fsync} is
 * an NBD flush; {@code fallocate} (a loop device's discard and write-zeroes) is an NBD write-zeroes.
 *
 * <p>Unlike a file whose size is fixed when it is shown, this one grows with the volume:
 * {@link #grow} opens a new connection, which the engine answers with its new size, moves every
 * later request to it (the old one is flushed first, so an {@code fsync} still covers every write
 * completed before) and reports the new size to the kernel; a {@code losetup --set-capacity} then
 * grows the loop device while its file system stays mounted.
 *
 * <p>The file is opened for direct I/O (no second page cache below the loop device's) and written
 * in parallel. Requests are served by {@value #WORKERS} threads, each marked an I/O flusher where
 * the process may do so. The FUSE session ends when the mount point is unmounted; {@link #close}
 * then releases the device and the connection.
 */
public final class ExportFile implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExportFile.class);

    public static final String FILE_NAME = "nbd";
    static final int WORKERS = 4;
    static final int MAX_WRITE = 1 << 20;
    private static final int BUFFER = MAX_WRITE + 8192;

    // <linux/fuse.h>
    private static final int LOOKUP = 1;
    private static final int FORGET = 2;
    private static final int GETATTR = 3;
    private static final int SETATTR = 4;
    private static final int OPEN = 14;
    private static final int READ = 15;
    private static final int WRITE = 16;
    private static final int STATFS = 17;
    private static final int RELEASE = 18;
    private static final int FSYNC = 20;
    private static final int FLUSH = 25;
    private static final int INIT = 26;
    private static final int OPENDIR = 27;
    private static final int READDIR = 28;
    private static final int RELEASEDIR = 29;
    private static final int FSYNCDIR = 30;
    private static final int ACCESS = 34;
    private static final int INTERRUPT = 36;
    private static final int DESTROY = 38;
    private static final int BATCH_FORGET = 42;
    private static final int FALLOCATE = 43;

    private static final int FUSE_ASYNC_READ = 1;
    private static final int FUSE_BIG_WRITES = 1 << 5;
    private static final int FUSE_MAX_PAGES = 1 << 22;
    private static final int FOPEN_DIRECT_IO = 1;
    private static final int FOPEN_NOFLUSH = 1 << 5;
    private static final int FOPEN_PARALLEL_DIRECT_WRITES = 1 << 6;
    private static final int FATTR_SIZE = 1 << 3;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int FALLOC_FL_ZERO_RANGE = 0x10;

    private static final long ROOT = 1;
    private static final long FILE = 2;
    private static final int IN_HEADER = 40;
    private static final int OUT_HEADER = 16;

    private final Path mountPoint;
    private final NbdEndpoint endpoint;
    private final int fd;
    private final long created = System.currentTimeMillis() / 1000;
    private final List<Thread> workers = new ArrayList<>();
    private final ReentrantReadWriteLock connection = new ReentrantReadWriteLock();
    private NbdClient nbd;
    private volatile long size;
    /** The FUSE connection's number (the mount's device number), for {@link #abort}. */
    private volatile long connectionId = -1;
    private volatile boolean flusherMarked = true;

    private ExportFile(Path mountPoint, NbdEndpoint endpoint, int fd, NbdClient nbd) {
        this.mountPoint = mountPoint;
        this.endpoint = endpoint;
        this.fd = fd;
        this.nbd = nbd;
        this.size = nbd.size();
    }

    /**
     * Connects to the export and mounts the file system showing it at {@code mountPoint} (an
     * existing, empty directory). Needs {@code CAP_SYS_ADMIN} and {@code /dev/fuse}.
     */
    public static ExportFile mount(Path mountPoint, NbdEndpoint endpoint) throws IOException {
        NbdClient nbd = NbdClient.connect(endpoint);
        int fd;
        try {
            fd = Libc.open("/dev/fuse", Libc.O_RDWR | Libc.O_CLOEXEC);
        } catch (IOException e) {
            nbd.close();
            throw e;
        }
        ExportFile f = new ExportFile(mountPoint, endpoint, fd, nbd);
        try {
            Libc.mount("longhorn-" + endpoint.name(), mountPoint.toString(), "fuse.longhorn-nbd",
                    Libc.MS_NOSUID | Libc.MS_NODEV, "fd=" + fd + ",rootmode=40000,user_id=0,group_id=0,"
                            + "default_permissions,allow_other,max_read=" + MAX_WRITE);
        } catch (IOException e) {
            Libc.close(fd);
            nbd.close();
            throw e;
        }
        for (int i = 0; i < WORKERS; i++) {
            Thread t = Thread.ofPlatform().daemon().name("fuse-" + endpoint.name() + "-" + i).start(f::serve);
            f.workers.add(t);
        }
        try {
            long dev = ((Number) Files.getAttribute(mountPoint, "unix:dev")).longValue();
            f.connectionId = ((dev >>> 32) & 0xfffff000L | (dev >>> 8) & 0xfff) << 20 | (dev & 0xff) | ((dev >>> 12) & 0xffffff00L);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("no device number for %s: %s", mountPoint, e);
        }
        return f;
    }

    public Path file() {
        return mountPoint.resolve(FILE_NAME);
    }

    public Path mountPoint() {
        return mountPoint;
    }

    public NbdEndpoint endpoint() {
        return endpoint;
    }

    /** The file's size: the export's, as the newest connection was told. */
    public long size() {
        return size;
    }

    /** Whether the session still serves: the mount is there and the connection works. */
    public boolean live() {
        connection.readLock().lock();
        try {
            return !nbd.failed() && workers.stream().anyMatch(Thread::isAlive);
        } finally {
            connection.readLock().unlock();
        }
    }

    /** Whether the serving threads could mark themselves I/O flushers ({@code CAP_SYS_RESOURCE}). */
    public boolean ioFlusher() {
        return flusherMarked;
    }

    /**
     * Grows the file to the export's current size, which must be at least {@code atLeast} bytes:
     * a new connection learns it, requests in flight on the old one finish, the old one is flushed
     * and closed, and the kernel is told. The file's size afterwards is returned.
     */
    public long grow(long atLeast) throws IOException {
        if (atLeast <= size) {
            return size;
        }
        NbdClient fresh = NbdClient.connect(endpoint);
        if (fresh.size() < atLeast) {
            fresh.close();
            throw new IOException("the export " + endpoint + " has " + fresh.size() + " bytes, fewer than " + atLeast);
        }
        NbdClient old;
        try {
            if (!connection.writeLock().tryLock(60, TimeUnit.SECONDS)) {
                fresh.close();
                throw new IOException("requests to " + endpoint + " in flight did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fresh.close();
            throw new IOException("interrupted");
        }
        try {
            old = nbd;
            if (old.canFlush() && !old.failed()) {
                old.flush();
            }
            nbd = fresh;
            size = fresh.size();
        } catch (IOException e) {
            fresh.close();
            throw e;
        } finally {
            connection.writeLock().unlock();
        }
        old.close();
        // The kernel keeps the file's size until it asks again: the next stat does (attributes are never cached).
        Files.size(file());
        return size;
    }

    /** Ends the session (unmounting lazily if the caller has not) and closes the connection. */
    @Override
    public void close() {
        try {
            Libc.umount2(mountPoint.toString(), Libc.MNT_DETACH);
        } catch (Libc.ErrnoException e) {
            // not mounted any more: the usual case, the caller unmounted it
        }
        for (Thread t : workers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (workers.stream().anyMatch(Thread::isAlive) && abort()) {
            for (Thread t : workers) {
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (workers.stream().noneMatch(Thread::isAlive)) {
            Libc.close(fd);
        } else {
            LOG.warnf("the FUSE session of %s at %s has not ended; its device stays open", endpoint, mountPoint);
        }
        connection.writeLock().lock();
        try {
            nbd.close();
        } finally {
            connection.writeLock().unlock();
        }
    }

    /**
     * Aborts the FUSE connection through the kernel's {@code fusectl} file system (where it is
     * mounted): every request waiting for an answer fails and the session ends. The way out when a
     * session cannot end otherwise, e.g. a request whose answer never comes.
     */
    public boolean abort() {
        Path abort = Path.of("/sys/fs/fuse/connections", Long.toString(connectionId), "abort");
        if (connectionId < 0 || !Files.exists(abort)) {
            return false;
        }
        try {
            Files.writeString(abort, "1");
            return true;
        } catch (IOException e) {
            LOG.warnf("cannot abort the FUSE connection of %s: %s", mountPoint, e.getMessage());
            return false;
        }
    }

    // ---- the FUSE session

    private void serve() {
        if (!Libc.markIoFlusher()) {
            flusherMarked = false;
        }
        // shared: the connection's reply thread reads a request's data into it
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = arena.allocate(BUFFER, 4096);
            MemorySegment out = arena.allocate(4096, 8);
            ByteBuffer req = in.asByteBuffer().order(ByteOrder.nativeOrder());
            ByteBuffer rep = out.asByteBuffer().order(ByteOrder.nativeOrder());
            while (true) {
                int n;
                try {
                    n = Libc.read(fd, in);
                } catch (Libc.ErrnoException e) {
                    if (e.errno == Libc.ENOENT || e.errno == Libc.EAGAIN) {
                        continue; // the request was interrupted before it was read
                    }
                    if (e.errno != Libc.ENODEV) {
                        LOG.warnf("FUSE session of %s at %s ends: %s", endpoint, mountPoint, e.getMessage());
                    }
                    return;
                }
                if (n < IN_HEADER) {
                    continue;
                }
                try {
                    if (!handle(req, in, rep, out)) {
                        return;
                    }
                } catch (Libc.ErrnoException e) {
                    if (e.errno == Libc.ENODEV) {
                        return;
                    }
                    // ENOENT: the request was interrupted and its answer is not wanted any more
                    if (e.errno != Libc.ENOENT) {
                        LOG.warnf("cannot answer a FUSE request for %s: %s", endpoint, e.getMessage());
                    }
                }
            }
        }
    }

    /** Serves one request; false once the session is over. */
    private boolean handle(ByteBuffer req, MemorySegment in, ByteBuffer rep, MemorySegment out)
            throws Libc.ErrnoException {
        int opcode = req.getInt(4);
        long unique = req.getLong(8);
        long node = req.getLong(16);
        rep.clear();
        rep.position(OUT_HEADER);
        int error = 0;
        switch (opcode) {
            case INIT -> init(req, rep);
            case LOOKUP -> {
                String name = cString(req, IN_HEADER);
                if (node == ROOT && name.equals(FILE_NAME)) {
                    rep.putLong(FILE).putLong(1).putLong(3600).putLong(0).putInt(0).putInt(0);
                    attr(rep, FILE);
                } else {
                    error = Libc.ENOENT;
                }
            }
            case GETATTR -> {
                if (node == ROOT || node == FILE) {
                    rep.putLong(0).putInt(0).putInt(0);
                    attr(rep, node);
                } else {
                    error = Libc.ENOENT;
                }
            }
            case SETATTR -> {
                int valid = req.getInt(IN_HEADER);
                long newSize = req.getLong(IN_HEADER + 16);
                if (node == FILE && (valid & FATTR_SIZE) != 0 && newSize != size) {
                    error = Libc.EINVAL; // the size follows the volume's, nothing else
                } else if (node == ROOT || node == FILE) {
                    rep.putLong(0).putInt(0).putInt(0);
                    attr(rep, node);
                } else {
                    error = Libc.ENOENT;
                }
            }
            case OPEN -> {
                if (node == FILE) {
                    rep.putLong(0).putInt(FOPEN_DIRECT_IO | FOPEN_NOFLUSH | FOPEN_PARALLEL_DIRECT_WRITES).putInt(0);
                } else {
                    error = Libc.EISDIR;
                }
            }
            case OPENDIR -> rep.putLong(0).putInt(0).putInt(0);
            case READDIR -> readdir(req, rep);
            case READ -> {
                return read(req, in, unique);
            }
            case WRITE -> error = write(req, in, rep);
            case FSYNC, FSYNCDIR -> error = flush();
            case FALLOCATE -> error = fallocate(req);
            case STATFS -> {
                long blocks = size / 4096;
                rep.putLong(blocks).putLong(0).putLong(0).putLong(2).putLong(0).putInt(4096).putInt(255)
                        .putInt(4096).putInt(0);
                rep.put(new byte[24]);
            }
            case RELEASE, RELEASEDIR, FLUSH, ACCESS -> {
                // nothing held, nothing to check beyond the kernel's permission check
            }
            case FORGET, BATCH_FORGET, INTERRUPT -> {
                return true; // no answer: nodes are fixed, and every request is answered promptly anyway
            }
            case DESTROY -> {
                reply(rep, out, unique, 0);
                return false;
            }
            default -> error = Libc.ENOSYS;
        }
        if (error != 0) {
            rep.clear();
            rep.position(OUT_HEADER);
        }
        reply(rep, out, unique, error);
        return true;
    }

    private void reply(ByteBuffer rep, MemorySegment out, long unique, int error) throws Libc.ErrnoException {
        int len = rep.position();
        rep.putInt(0, len).putInt(4, -error).putLong(8, unique);
        Libc.write(fd, out, len);
    }

    private static void init(ByteBuffer req, ByteBuffer rep) {
        int minor = req.getInt(IN_HEADER + 4);
        int maxReadahead = req.getInt(IN_HEADER + 8);
        int offered = req.getInt(IN_HEADER + 12);
        int wanted = (FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES) & offered;
        rep.putInt(7).putInt(Math.min(minor, 31)).putInt(maxReadahead).putInt(wanted)
                .putShort((short) 16).putShort((short) 12).putInt(MAX_WRITE).putInt(1)
                .putShort((short) (MAX_WRITE / 4096)).putShort((short) 0).putInt(0).putInt(0);
        rep.put(new byte[24]);
    }

    private void attr(ByteBuffer rep, long node) {
        boolean file = node == FILE;
        long bytes = file ? size : 0;
        rep.putLong(node).putLong(bytes).putLong((bytes + 511) / 512).putLong(created).putLong(created).putLong(created)
                .putInt(0).putInt(0).putInt(0).putInt(file ? 0100600 : 040755).putInt(file ? 1 : 2)
                .putInt(0).putInt(0).putInt(0).putInt(4096).putInt(0);
    }

    private static void readdir(ByteBuffer req, ByteBuffer rep) {
        long offset = req.getLong(IN_HEADER + 8);
        int max = req.getInt(IN_HEADER + 16);
        String[] names = {".", "..", FILE_NAME};
        long[] inos = {ROOT, ROOT, FILE};
        int[] types = {4, 4, 8}; // DT_DIR, DT_DIR, DT_REG
        int used = 0;
        for (int i = (int) Math.max(0, offset); i < names.length; i++) {
            byte[] name = names[i].getBytes(StandardCharsets.UTF_8);
            int entry = (24 + name.length + 7) & ~7;
            if (used + entry > max) {
                break;
            }
            rep.putLong(inos[i]).putLong(i + 1).putInt(name.length).putInt(types[i]).put(name);
            rep.put(new byte[entry - 24 - name.length]);
            used += entry;
        }
    }

    private boolean read(ByteBuffer req, MemorySegment in, long unique) throws Libc.ErrnoException {
        long offset = req.getLong(IN_HEADER + 8);
        int length = req.getInt(IN_HEADER + 16);
        long end = Math.min(size, offset + length);
        int n = offset >= end ? 0 : (int) (end - offset);
        int error = 0;
        if (n > 0) {
            // The answer is built in the request's buffer: the data after the header, read in place.
            ByteBuffer into = in.asSlice(OUT_HEADER, n).asByteBuffer();
            error = io(() -> nbd.read(offset, into));
        }
        int len = error == 0 ? OUT_HEADER + n : OUT_HEADER;
        req.putInt(0, len).putInt(4, -error).putLong(8, unique);
        Libc.write(fd, in, len);
        return true;
    }

    private int write(ByteBuffer req, MemorySegment in, ByteBuffer rep) {
        long offset = req.getLong(IN_HEADER + 8);
        int length = req.getInt(IN_HEADER + 16);
        if (offset < 0 || offset + length > size) {
            return Libc.ENOSPC;
        }
        ByteBuffer from = in.asSlice(IN_HEADER + 40, length).asByteBuffer();
        int error = io(() -> nbd.write(offset, from));
        if (error == 0) {
            rep.putInt(length).putInt(0);
        }
        return error;
    }

    private int flush() {
        return io(() -> {
            if (nbd.canFlush()) {
                nbd.flush();
            }
        });
    }

    private int fallocate(ByteBuffer req) {
        long offset = req.getLong(IN_HEADER + 8);
        long length = req.getLong(IN_HEADER + 16);
        int mode = req.getInt(IN_HEADER + 24);
        boolean punch = mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
        boolean zero = (mode & ~FALLOC_FL_KEEP_SIZE) == FALLOC_FL_ZERO_RANGE;
        if (!punch && !zero) {
            return Libc.EOPNOTSUPP;
        }
        if (offset < 0 || length <= 0 || offset + length > size) {
            return offset + length > size && (mode & FALLOC_FL_KEEP_SIZE) == 0 ? Libc.ENOSPC : Libc.EINVAL;
        }
        return io(() -> {
            if (!nbd.canWriteZeroes()) {
                throw new NbdClient.ServerError("write zeroes", Libc.EOPNOTSUPP);
            }
            // Both read back as zeroes afterwards: a write-zeroes without NO_HOLE lets the engine unmap.
            for (long done = 0; done < length; ) {
                int chunk = (int) Math.min(length - done, 1 << 30);
                nbd.writeZeroes(offset + done, chunk);
                done += chunk;
            }
        });
    }

    private interface Io {
        void run() throws IOException;
    }

    /** Runs one request against the current connection; 0, or the errno for the kernel. */
    private int io(Io op) {
        connection.readLock().lock();
        try {
            op.run();
            return 0;
        } catch (NbdClient.ServerError e) {
            return e.errno > 0 ? e.errno : Libc.EIO;
        } catch (IOException e) {
            LOG.warnf("I/O to %s failed: %s", endpoint, e.getMessage());
            return Libc.EIO;
        } finally {
            connection.readLock().unlock();
        }
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (end < b.limit() && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - at];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
