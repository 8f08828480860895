package io.longhorn.replica.store;

import io.longhorn.api.types.Names;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jboss.logging.Logger;

/**
 * One replica of one volume: a directory holding a chain of sparse layer files in Longhorn's
 * layout, the writable head on top of read-only snapshots.
 *
 * <p>Reads go to the newest layer that holds each 4 KiB block, found in an in-memory
 * {@link LayerIndex} rebuilt at open from the files' data/hole map; writes go to the head and only
 * update that index, so the data path never writes metadata. Snapshot, revert, remove, purge and
 * expand change the chain under an exclusive lock that waits for in-flight I/O; each ends with an
 * atomic rewrite of one metadata file, the commit point, and {@link #open} finishes or undoes
 * whatever a crash interrupted (the order of writes and the recovery rules are in {@link DirectoryScan}
 * and the module README).
 *
 * <p>I/O must be aligned to {@link #BLOCK_SIZE}: unaligned requests are refused with
 * {@link InvalidArgumentException} (the engine does read-modify-write, since only it can order
 * concurrent partial writes across all replicas).
 */
public final class Replica implements Closeable {
    public static final int BLOCK_SIZE = 4096;
    private static final Logger LOG = Logger.getLogger(Replica.class);
    private static final int COPY_CHUNK = 1 << 20;
    /** Bytes of a snapshot read per hold of the shared lock (a chunk of the ReadExtents stream is as big). */
    static final int SNAPSHOT_READ_PIECE = 1 << 20;

    private final Path dir;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Object metaLock = new Object();
    private volatile VolumeMeta meta;
    /** Every layer's metadata on disk, by file name, including snapshots off the active chain. */
    private final Map<String, LayerMeta> metas = new java.util.HashMap<>();
    /** The active chain: index 0 unused, 1 the oldest layer, last the head. */
    private volatile Layer[] chain = new Layer[1];
    private volatile LayerIndex index;
    private volatile boolean closed;
    /** Told when a multi-file change reaches each of its steps; see {@link Steps}. */
    private volatile Steps steps = Steps.NONE;

    private Replica(Path dir, VolumeMeta meta) {
        this.dir = dir;
        this.meta = meta;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Creates a new empty replica of {@code size} bytes in {@code dir}. */
    public static Replica create(Path dir, long size) {
        checkSize(size);
        Path volumeMeta = dir.resolve(VolumeMeta.FILE);
        if (Files.exists(volumeMeta)) {
            throw new AlreadyExistsException("a replica already exists in " + dir);
        }
        String head = LayerFiles.headFile(0);
        try {
            Files.createDirectories(dir);
            // What an interrupted create or delete left belongs to no replica; anything else is
            // refused rather than overwritten.
            DirectoryScan.clearLeftovers(dir);
            createSparse(dir.resolve(head), size);
            MetaFiles.write(dir.resolve(head + LayerMeta.SUFFIX), new LayerMeta(head, "", false, false, now(), Map.of()));
            MetaFiles.write(volumeMeta, new VolumeMeta(size, head, false, false, "", "", BLOCK_SIZE, "", 0));
        } catch (IOException e) {
            throw new ReplicaIOException("failed to create replica in " + dir, e);
        }
        return open(dir);
    }

    /** Opens the replica in {@code dir}, recovering from a crash if one interrupted a chain change. */
    public static Replica open(Path dir) {
        Path volumeMeta = dir.resolve(VolumeMeta.FILE);
        if (!Files.exists(volumeMeta)) {
            if (Files.exists(dir.resolve(DirectoryScan.TOMBSTONE))) {
                DirectoryScan.finishDelete(dir);
                throw new NotFoundException("no replica in " + dir + ": it was deleted");
            }
            throw new NotFoundException("no replica in " + dir + ": " + VolumeMeta.FILE + " does not exist");
        }
        VolumeMeta vm = MetaFiles.read(volumeMeta, VolumeMeta.class);
        validate(vm, volumeMeta);
        Replica r = new Replica(dir, vm);
        r.lock.writeLock().lock();
        try {
            DirectoryScan.recover(dir, vm);
            r.metas.putAll(DirectoryScan.loadMetas(dir, vm));
            // volume.meta's Parent repeats the head's; the head's .meta is the truth (a purge
            // re-parents the head before it updates volume.meta).
            String headParent = r.metas.get(vm.head()).parent();
            if (!headParent.equals(vm.parent() == null ? "" : vm.parent())) {
                LOG.infof("replica %s: volume.meta names parent %s, the head %s; using the head's", dir,
                        vm.parent(), headParent);
            }
            r.loadChain();
            r.updateMeta(m -> m.withParent(headParent).withDirty(true));
        } catch (RuntimeException e) {
            r.closeLayers();
            throw e;
        } finally {
            r.lock.writeLock().unlock();
        }
        LOG.infof("opened replica %s: size %d, head %s, %d layers in chain, %d snapshots on disk", dir,
                vm.size(), vm.head(), r.chain.length - 1, r.metas.size() - 1);
        return r;
    }

    /**
     * Opens the replica in {@code dir}, or creates it when the directory holds none.
     *
     * @param size the size for a new replica; 0 to require an existing one; for an existing one it
     *             must be 0 or its size
     */
    public static Replica openOrCreate(Path dir, long size) {
        if (Files.exists(dir.resolve(VolumeMeta.FILE))) {
            Replica r = open(dir);
            if (size != 0 && size != r.size()) {
                long actual = r.size();
                r.close();
                throw new InvalidArgumentException("replica in " + dir + " has size " + actual + ", not the requested " + size);
            }
            return r;
        }
        if (size == 0) {
            throw new NotFoundException("no replica in " + dir + " and no size given to create one");
        }
        return create(dir, size);
    }

    /** Makes the head durable, marks the replica clean and closes its files. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            try {
                head().channel.force(false);
                updateMeta(m -> m.withDirty(false));
            } catch (IOException | RuntimeException e) {
                LOG.warnf("closing replica %s: could not mark it clean: %s", dir, e.getMessage());
            }
            closeLayers();
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Closes the replica and removes all its files, and the directory when nothing else is in it.
     *
     * <p>Crash safe: {@code volume.meta} is first renamed to {@code volume.deleted} (atomic, the
     * commit point; from then on the directory holds no replica), then the layer files go, the
     * tombstone last. A directory left with a tombstone reads as "deleted": {@link #open} and
     * {@link #create} finish the removal.
     */
    public void delete() {
        lock.writeLock().lock();
        try {
            closeLayers();
            closed = true;
            try {
                Path volumeMeta = dir.resolve(VolumeMeta.FILE);
                if (Files.exists(volumeMeta)) {
                    Files.move(volumeMeta, dir.resolve(DirectoryScan.TOMBSTONE), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                    MetaFiles.syncDirectory(dir);
                }
                step("delete.committed");
                DirectoryScan.finishDelete(dir);
            } catch (IOException e) {
                throw new ReplicaIOException("failed to delete replica " + dir, e);
            }
            try (var rest = Files.list(dir)) {
                if (rest.findAny().isEmpty()) {
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                LOG.warnf("replica %s: deleted, but the directory stays: %s", dir, e.getMessage());
            }
            LOG.infof("replica %s: deleted", dir);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Closes the files without writing anything, as a killed process leaves them (for tests of
     * crash recovery).
     */
    void abandon() {
        closeLayers();
        closed = true;
    }

    /** Receives the name of each step a multi-file change reaches, before it takes the next. */
    interface Steps {
        Steps NONE = step -> {
        };

        void reached(String step);
    }

    void steps(Steps s) {
        steps = s == null ? Steps.NONE : s;
    }

    private void step(String name) {
        steps.reached(name);
    }

    // ---------------------------------------------------------------- state

    public Path directory() {
        return dir;
    }

    public long size() {
        return meta.size();
    }

    public int sectorSize() {
        return BLOCK_SIZE;
    }

    public long generation() {
        return meta.generation();
    }

    public boolean dirty() {
        return meta.dirty();
    }

    public boolean rebuilding() {
        return meta.rebuilding();
    }

    public String headFile() {
        return meta.head();
    }

    /** The name of the head's parent snapshot, or null when the head is the only layer. */
    public String parent() {
        String p = meta.parent();
        return p == null || p.isEmpty() ? null : LayerFiles.displayName(p);
    }

    /**
     * Records the engine's generation, durably, before returning. It never goes down: a lower one
     * is refused ({@link FencedException}), since it can only come from an engine that a newer one
     * replaced.
     */
    public void setGeneration(long generation) {
        if (generation < 0) {
            throw new InvalidArgumentException("generation must not be negative, got " + generation);
        }
        lock.readLock().lock();
        try {
            ensureOpen();
            updateMeta(m -> {
                if (generation < m.generation()) {
                    throw new FencedException("generation " + generation + " is below generation " + m.generation()
                            + " recorded on replica " + dir + "; a replica's generation never goes down");
                }
                return m.withGeneration(generation);
            });
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Why this replica's content must not be trusted ({@code volume.meta}'s Error), or "" when it is sound. */
    public String error() {
        String e = meta.error();
        return e == null ? "" : e;
    }

    /**
     * Records (or, with "", clears) why this replica's content must not be trusted, durably, before
     * returning. Data I/O is not affected: the engine refuses such a replica.
     */
    public void setError(String error) {
        if (error == null) {
            throw new InvalidArgumentException("error must not be null (give \"\" to clear it)");
        }
        lock.readLock().lock();
        try {
            ensureOpen();
            updateMeta(m -> m.withError(error));
        } finally {
            lock.readLock().unlock();
        }
        if (error.isEmpty()) {
            LOG.infof("replica %s: error cleared", dir);
        } else {
            LOG.warnf("replica %s: marked in error: %s", dir, error);
        }
    }

    /** Bytes allocated in all layer files. */
    public long actualSize() {
        lock.readLock().lock();
        try {
            ensureOpen();
            long n = 0;
            for (String f : metas.keySet()) {
                n += allocated(f);
            }
            return n;
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- data path

    /** Reads {@code dst.remaining()} bytes at {@code offset} into dst, advancing its position. */
    public void read(long offset, ByteBuffer dst) {
        int len = dst.remaining();
        lock.readLock().lock();
        try {
            ensureOpen();
            checkIo("read", offset, len);
            int limit = dst.limit();
            try {
                readRuns(chain, index, offset, len, dst, (layer, d, at) -> {
                    layer.readFully(d, at);
                    return true;
                });
            } finally {
                dst.limit(limit);
            }
        } catch (IOException e) {
            throw new ReplicaIOException("failed to read " + len + " bytes at " + offset + " from replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Reads {@code dst.remaining()} bytes at {@code offset} of snapshot {@code name} into dst,
     * advancing its position: what the volume held there when the snapshot was taken, i.e. for
     * every block the newest layer of the chain up to and including the snapshot that holds it.
     *
     * <p>Safe while the head is written: snapshot layers never change, and a block's entry in the
     * index only ever moves to the head during I/O. An entry at or below the snapshot is therefore
     * the answer; one above it (the head, or a newer snapshot) sends the block to the snapshot's
     * own layers, whose data maps are fixed. Takes the same shared lock as an ordinary read, once
     * per MiB.
     *
     * @throws InvalidArgumentException for a bad range, the head, or while the replica is rebuilding
     * @throws NotFoundException        when the snapshot is not on the replica's chain
     */
    public void readSnapshot(String name, long offset, ByteBuffer dst) {
        int len = dst.remaining();
        checkIo("read of snapshot " + name, offset, len);
        int limit = dst.limit();
        try {
            // One piece per hold of the shared lock, so that a chain change (the snapshot an engine
            // takes) never waits for more than one piece: as long as for one chunk of ReadExtents.
            for (int done = 0; done < len; done += SNAPSHOT_READ_PIECE) {
                int n = Math.min(SNAPSHOT_READ_PIECE, len - done);
                dst.limit(dst.position() + n);
                readSnapshotPiece(name, offset + done, dst);
            }
        } finally {
            dst.limit(limit);
        }
    }

    private void readSnapshotPiece(String name, long offset, ByteBuffer dst) {
        int len = dst.remaining();
        lock.readLock().lock();
        try {
            ensureOpen();
            checkIo("read of snapshot " + name, offset, len);
            Layer[] ch = chain;
            int top = snapshotPosition(ch, name);
            LayerIndex idx = index;
            int limit = dst.limit();
            try {
                long b = offset / BLOCK_SIZE;
                long end = (offset + len) / BLOCK_SIZE;
                while (b < end) {
                    int owner = ownerAtOrBelow(ch, idx, top, b);
                    long run = 1;
                    while (b + run < end && ownerAtOrBelow(ch, idx, top, b + run) == owner) {
                        run++;
                    }
                    int n = (int) (run * BLOCK_SIZE);
                    dst.limit(dst.position() + n);
                    if (owner == 0) {
                        Zeros.fill(dst, n);
                    } else {
                        ch[owner].readFully(dst, b * BLOCK_SIZE);
                    }
                    b += run;
                }
            } finally {
                dst.limit(limit);
            }
        } catch (IOException e) {
            throw new ReplicaIOException("failed to read " + len + " bytes at " + offset + " of snapshot " + name
                    + " from replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The chain position of snapshot {@code name}, which must be readable by name. */
    private int snapshotPosition(Layer[] ch, String name) {
        if (name == null || name.isEmpty() || SnapshotInfo.HEAD_NAME.equals(name)) {
            throw new InvalidArgumentException("snapshot: \"" + (name == null ? "" : name) + "\" is not a snapshot of"
                    + " replica " + dir + "; only snapshots, which never change, can be read by name");
        }
        if (meta.rebuilding()) {
            throw new InvalidArgumentException("replica " + dir + " is rebuilding: its snapshots are incomplete, "
                    + "snapshot " + name + " cannot be read");
        }
        String file = LayerFiles.snapshotFile(name);
        for (int i = 1; i < ch.length - 1; i++) {
            if (ch[i].file.equals(file)) {
                return i;
            }
        }
        throw new NotFoundException("snapshot " + name + " is not on the chain of replica " + dir);
    }

    /** The newest layer at chain position {@code top} or below that holds {@code block}; 0 for none. */
    private static int ownerAtOrBelow(Layer[] ch, LayerIndex idx, int top, long block) throws IOException {
        int owner = idx.get(block);
        if (owner <= top) {
            return owner;
        }
        long at = block * BLOCK_SIZE;
        for (int i = top; i >= 1; i--) {
            if (ch[i].hasData(at, BLOCK_SIZE)) {
                return i;
            }
        }
        return 0;
    }

    /**
     * Like {@link #read}, but only when it cannot block: the chain is not being changed (the lock
     * is free to share) and the page cache holds every block. Returns false, with dst's position
     * unchanged, when it would have to wait, and for anything {@link #read} would refuse; the
     * caller then reads the ordinary way (which reports the error). For the data server's I/O
     * thread, which serves such reads itself instead of handing them to a worker.
     */
    public boolean readCached(long offset, ByteBuffer dst) {
        int len = dst.remaining();
        if (!lock.readLock().tryLock()) {
            return false;
        }
        int start = dst.position();
        int limit = dst.limit();
        boolean done = false;
        try {
            long size = meta.size();
            if (closed || offset < 0 || offset > size || len > size - offset
                    || offset % BLOCK_SIZE != 0 || len % BLOCK_SIZE != 0) {
                return false;
            }
            done = readRuns(chain, index, offset, len, dst, Layer::readCached);
            return done;
        } catch (IOException e) {
            return false; // not reached: a cached read does not throw; the ordinary read reports errors
        } finally {
            dst.limit(limit);
            if (!done) {
                dst.position(start);
            }
            lock.readLock().unlock();
        }
    }

    /** Reads one run of blocks that the same layer holds into {@code dst} (limited to the run). */
    private interface RunReader {
        boolean read(Layer layer, ByteBuffer dst, long pos) throws IOException;
    }

    /**
     * Reads {@code len} bytes at {@code offset} through the chain into {@code dst}, one run of
     * blocks with the same owner at a time: zeros where no layer holds the block, else the owning
     * layer through {@code reader}. False as soon as the reader gives up; dst's limit is left at the
     * end of the last run read (the caller restores it).
     */
    private static boolean readRuns(Layer[] ch, LayerIndex idx, long offset, int len, ByteBuffer dst,
                                    RunReader reader) throws IOException {
        long b = offset / BLOCK_SIZE;
        long end = (offset + len) / BLOCK_SIZE;
        while (b < end) {
            int owner = idx.get(b);
            long run = 1;
            while (b + run < end && idx.get(b + run) == owner) {
                run++;
            }
            int n = (int) (run * BLOCK_SIZE);
            dst.limit(dst.position() + n);
            if (owner == 0) {
                Zeros.fill(dst, n);
            } else if (!reader.read(ch[owner], dst, b * BLOCK_SIZE)) {
                return false;
            }
            b += run;
        }
        return true;
    }

    /** Writes {@code src.remaining()} bytes at {@code offset} to the head, advancing src's position. */
    public void write(long offset, ByteBuffer src) {
        int len = src.remaining();
        lock.readLock().lock();
        try {
            ensureOpen();
            checkIo("write", offset, len);
            Layer[] ch = chain;
            int headPos = ch.length - 1;
            ch[headPos].writeFully(src, offset);
            // The index moves to the head only after the data is in the head file, so a concurrent
            // read sees either the old block or the new one, never a hole.
            index.setRange(offset / BLOCK_SIZE, len / BLOCK_SIZE, headPos);
        } catch (IOException e) {
            throw new ReplicaIOException("failed to write " + len + " bytes at " + offset + " to replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Makes the range read as zeros. */
    public void writeZeroes(long offset, long length) {
        zero("write zeroes", offset, length);
    }

    /**
     * Deallocates the range where no snapshot holds data below it; the whole range reads as zeros
     * afterwards (blocks that an older snapshot holds get explicit zeros in the head, since a hole
     * there would expose the snapshot's data).
     */
    public void unmap(long offset, long length) {
        zero("unmap", offset, length);
    }

    private void zero(String op, long offset, long length) {
        lock.readLock().lock();
        try {
            ensureOpen();
            checkIo(op, offset, length);
            Layer[] ch = chain;
            int headPos = ch.length - 1;
            Layer head = ch[headPos];
            LayerIndex idx = index;
            boolean rebuilding = meta.rebuilding();
            long b = offset / BLOCK_SIZE;
            long end = (offset + length) / BLOCK_SIZE;
            while (b < end) {
                ZeroAction action = zeroAction(idx, ch, headPos, b, rebuilding);
                long run = 1;
                while (b + run < end && zeroAction(idx, ch, headPos, b + run, rebuilding) == action) {
                    run++;
                }
                long pos = b * BLOCK_SIZE;
                long n = run * BLOCK_SIZE;
                switch (action) {
                    case NOTHING -> {
                    }
                    case PUNCH -> NativeFiles.punchHole(head.fd, pos, n);
                    case WRITE -> {
                        for (long done = 0; done < n; ) {
                            int k = (int) Math.min(Zeros.SIZE, n - done);
                            head.writeFully(Zeros.of(k), pos + done);
                            done += k;
                        }
                        idx.setRange(b, run, headPos);
                    }
                }
                b += run;
            }
        } catch (IOException e) {
            throw new ReplicaIOException("failed to " + op + " " + length + " bytes at " + offset + " on replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    private enum ZeroAction { NOTHING, PUNCH, WRITE }

    /*
     * The index only ever moves a block to the head during I/O, never away from it, so concurrent
     * overlapping requests cannot leave the index and the files disagreeing after a reopen. Hence a
     * punched head block keeps its index entry (the hole reads as zeros), and punching is used only
     * where no older layer holds data that the hole would expose. While a rebuild fills the older
     * layers, what they will hold is unknown, so zeros are always written.
     */
    private static ZeroAction zeroAction(LayerIndex idx, Layer[] ch, int headPos, long block, boolean rebuilding)
            throws IOException {
        if (rebuilding) {
            return ZeroAction.WRITE;
        }
        int owner = idx.get(block);
        if (owner == 0) {
            return ZeroAction.NOTHING;
        }
        if (owner != headPos) {
            return ZeroAction.WRITE;
        }
        for (int i = headPos - 1; i >= 1; i--) {
            if (ch[i].hasData(block * BLOCK_SIZE, BLOCK_SIZE)) {
                return ZeroAction.WRITE;
            }
        }
        return ZeroAction.PUNCH;
    }

    /** Makes every completed write durable (fsync of the head). */
    public void flush() {
        lock.readLock().lock();
        try {
            ensureOpen();
            head().channel.force(false);
        } catch (IOException e) {
            throw new ReplicaIOException("failed to flush replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * Turns the head into snapshot {@code name} and opens a new empty head on top of it. No data is
     * copied: the head file gets a second name (hard link), then the new head and the new
     * {@code volume.meta} are written; the old head name is removed last.
     */
    public SnapshotInfo snapshot(String name, Map<String, String> labels, boolean userCreated, Instant created) {
        requireSnapshotName(name);
        Map<String, String> safeLabels = checkLabels(labels);
        String snapFile = LayerFiles.snapshotFile(name);
        lock.writeLock().lock();
        try {
            ensureOpen();
            if (metas.containsKey(snapFile) || Files.exists(dir.resolve(snapFile))) {
                throw new AlreadyExistsException("snapshot " + name + " already exists in replica " + dir);
            }
            Layer[] ch = chain;
            if (ch.length - 1 >= LayerIndex.MAX_LAYERS) {
                throw new InvalidArgumentException("replica " + dir + " already has " + (ch.length - 1)
                        + " layers in its chain; remove and purge snapshots first");
            }
            Layer head = ch[ch.length - 1];
            String newHead = LayerFiles.headFile(LayerFiles.headNumber(head.file) + 1);
            LayerMeta snapMeta = new LayerMeta(snapFile, head.meta.parent(), false, userCreated,
                    rfc3339(created == null ? Instant.now() : created), safeLabels);
            LayerMeta headMeta = new LayerMeta(newHead, snapFile, false, false, now(), Map.of());
            boolean committed = false;
            try {
                // The snapshot's data must be durable before it is declared immutable.
                head.channel.force(false);
                Files.createLink(dir.resolve(snapFile), head.path);
                step("snapshot.linked");
                MetaFiles.write(dir.resolve(snapFile + LayerMeta.SUFFIX), snapMeta);
                step("snapshot.snapshotMetaWritten");
                createSparse(dir.resolve(newHead), meta.size());
                MetaFiles.write(dir.resolve(newHead + LayerMeta.SUFFIX), headMeta);
                step("snapshot.newHeadWritten");
                updateMeta(m -> m.withHead(newHead, snapFile));
                committed = true;
            } catch (IOException | RuntimeException e) {
                if (!committed) {
                    deleteQuietly(snapFile, newHead);
                }
                throw e instanceof IOException io ? new ReplicaIOException("failed to snapshot replica " + dir, io)
                        : (RuntimeException) e;
            }
            step("snapshot.committed");
            deleteQuietly(head.file);
            Layer snapLayer = head.renamed(snapFile, dir.resolve(snapFile), snapMeta);
            Layer newHeadLayer;
            try {
                newHeadLayer = Layer.open(dir, newHead, headMeta);
            } catch (IOException e) {
                throw new ReplicaIOException("snapshot " + name + " was taken but the new head of " + dir
                        + " cannot be opened", e);
            }
            Layer[] next = java.util.Arrays.copyOf(ch, ch.length + 1);
            next[ch.length - 1] = snapLayer;
            next[ch.length] = newHeadLayer;
            chain = next;
            metas.remove(head.file);
            metas.put(snapFile, snapMeta);
            metas.put(newHead, headMeta);
            LOG.infof("replica %s: snapshot %s taken, new head %s", dir, name, newHead);
            return info(snapFile);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Every snapshot on disk and the head, parents before children. */
    public List<SnapshotInfo> snapshots() {
        lock.readLock().lock();
        try {
            ensureOpen();
            List<String> order = new ArrayList<>();
            Map<String, List<String>> kids = children();
            List<String> roots = new ArrayList<>();
            for (LayerMeta m : metas.values()) {
                if (m.parent().isEmpty()) {
                    roots.add(m.name());
                }
            }
            sortByCreated(roots);
            java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(roots);
            while (!todo.isEmpty()) {
                String f = todo.poll();
                order.add(f);
                List<String> c = new ArrayList<>(kids.getOrDefault(f, List.of()));
                sortByCreated(c);
                todo.addAll(c);
            }
            List<SnapshotInfo> out = new ArrayList<>(order.size());
            for (String f : order) {
                out.add(info(f));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Replaces the head with a new empty one on top of snapshot {@code name}; the old head's data is discarded. */
    public void revert(String name) {
        String snapFile = LayerFiles.snapshotFile(requireSnapshotName(name));
        lock.writeLock().lock();
        try {
            ensureOpen();
            LayerMeta target = metas.get(snapFile);
            if (target == null) {
                throw new NotFoundException("snapshot " + name + " does not exist in replica " + dir);
            }
            if (target.removed()) {
                throw new InvalidArgumentException("snapshot " + name + " of replica " + dir + " is removed; cannot revert to it");
            }
            String oldHead = meta.head();
            String newHead = LayerFiles.headFile(LayerFiles.headNumber(oldHead) + 1);
            LayerMeta headMeta = new LayerMeta(newHead, snapFile, false, false, now(), Map.of());
            boolean committed = false;
            try {
                createSparse(dir.resolve(newHead), meta.size());
                MetaFiles.write(dir.resolve(newHead + LayerMeta.SUFFIX), headMeta);
                step("revert.newHeadWritten");
                updateMeta(m -> m.withHead(newHead, snapFile));
                committed = true;
            } catch (IOException | RuntimeException e) {
                if (!committed) {
                    deleteQuietly(newHead);
                }
                throw e instanceof IOException io ? new ReplicaIOException("failed to revert replica " + dir, io)
                        : (RuntimeException) e;
            }
            step("revert.committed");
            closeLayers();
            deleteQuietly(oldHead);
            metas.remove(oldHead);
            metas.put(newHead, headMeta);
            loadChain();
            LOG.infof("replica %s: reverted to snapshot %s, new head %s", dir, name, newHead);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Marks snapshot {@code name} removed. Its data stays in use until {@link #purge} coalesces it. */
    public void removeSnapshot(String name) {
        if (SnapshotInfo.HEAD_NAME.equals(name) || (name != null && LayerFiles.isHead(name))) {
            throw new InvalidArgumentException("cannot remove the volume head of replica " + dir);
        }
        String snapFile = LayerFiles.snapshotFile(requireSnapshotName(name));
        lock.writeLock().lock();
        try {
            ensureOpen();
            LayerMeta m = metas.get(snapFile);
            if (m == null) {
                throw new NotFoundException("snapshot " + name + " does not exist in replica " + dir);
            }
            if (m.removed()) {
                return;
            }
            LayerMeta removed = m.withRemoved(true);
            MetaFiles.write(dir.resolve(snapFile + LayerMeta.SUFFIX), removed);
            metas.put(snapFile, removed);
            for (Layer l : chain) {
                if (l != null && l.file.equals(snapFile)) {
                    l.meta = removed;
                }
            }
            LOG.infof("replica %s: snapshot %s marked removed", dir, name);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Coalesces every removed snapshot that has at most one child into that child, so the chain
     * shrinks while every block reads as before. A removed snapshot with two children (after a
     * revert) stays until one branch is gone.
     */
    public void purge() {
        lock.writeLock().lock();
        try {
            ensureOpen();
            boolean changed = true;
            while (changed) {
                changed = false;
                Map<String, List<String>> kids = children();
                for (LayerMeta m : List.copyOf(metas.values())) {
                    if (!m.removed()) {
                        continue;
                    }
                    List<String> c = kids.getOrDefault(m.name(), List.of());
                    if (c.isEmpty()) {
                        deleteLayer(m.name());
                        changed = true;
                    } else if (c.size() == 1) {
                        coalesce(m, c.getFirst());
                        changed = true;
                    }
                    if (changed) {
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new ReplicaIOException("failed to purge snapshots of replica " + dir, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Grows the volume to {@code newSize} bytes; the new range reads as zeros. */
    public void expand(long newSize) {
        checkSize(newSize);
        lock.writeLock().lock();
        try {
            ensureOpen();
            long old = meta.size();
            if (newSize == old) {
                return;
            }
            if (newSize < old) {
                throw new InvalidArgumentException("cannot shrink replica " + dir + " from " + old + " to " + newSize + " bytes");
            }
            // The head grows first (durably), then volume.meta commits the size. A crash in between
            // leaves a head longer than Size, which open trims back: Size is the truth.
            try (RandomAccessFile raf = new RandomAccessFile(head().path.toFile(), "rw")) {
                raf.setLength(newSize);
                head().channel.force(true);
            } catch (IOException e) {
                throw new ReplicaIOException("failed to expand replica " + dir + " to " + newSize + " bytes", e);
            }
            step("expand.headGrown");
            updateMeta(m -> m.withSize(newSize));
            index.grow(newSize / BLOCK_SIZE);
            LOG.infof("replica %s: expanded from %d to %d bytes", dir, old, newSize);
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- rebuild support

    /** The data extents of one layer file. */
    public List<Extent> extents(String file) {
        lock.readLock().lock();
        try {
            ensureOpen();
            requireLayer(file);
            return NativeFiles.dataExtents(dir.resolve(file), BLOCK_SIZE);
        } catch (IOException e) {
            throw new ReplicaIOException("failed to list data extents of " + file + " in replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    public long fileSize(String file) {
        lock.readLock().lock();
        try {
            ensureOpen();
            requireLayer(file);
            return Files.size(dir.resolve(file));
        } catch (IOException e) {
            throw new ReplicaIOException("failed to stat " + file + " in replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Raw bytes of one layer file; holes and the range past its end read as zeros. */
    public void readFile(String file, long offset, ByteBuffer dst) {
        lock.readLock().lock();
        try {
            ensureOpen();
            requireLayer(file);
            if (offset < 0) {
                throw new InvalidArgumentException("offset must not be negative, got " + offset);
            }
            withLayer(file, false, l -> l.readFully(dst, offset));
        } catch (IOException e) {
            throw new ReplicaIOException("failed to read " + file + " at " + offset + " in replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Makes this replica's snapshots exactly {@code snapshots} (parents before children), creating
     * missing layer files empty, rewriting the metadata of existing ones and deleting the others.
     * The head stays; its parent must be in the list. Marks the replica rebuilding first, so a crash
     * during the sync leaves it visibly incomplete.
     */
    public void rebuildPrepare(List<SnapshotInfo> snapshots) {
        lock.writeLock().lock();
        try {
            ensureOpen();
            Map<String, LayerMeta> wanted = new java.util.LinkedHashMap<>();
            for (SnapshotInfo s : snapshots) {
                String f = LayerFiles.snapshotFile(requireSnapshotName(s.name()));
                String parent = s.parent() == null || s.parent().isEmpty() ? "" : LayerFiles.snapshotFile(s.parent());
                if (!parent.isEmpty() && !wanted.containsKey(parent)) {
                    throw new InvalidArgumentException("snapshot " + s.name() + " names parent " + s.parent()
                            + " which is not listed before it");
                }
                if (wanted.put(f, new LayerMeta(f, parent, s.removed(), s.userCreated(),
                        rfc3339(s.created() == null ? Instant.now() : s.created()), s.labels())) != null) {
                    throw new InvalidArgumentException("snapshot " + s.name() + " is listed twice");
                }
            }
            String headParent = head().meta.parent();
            if (!headParent.isEmpty() && !wanted.containsKey(headParent)) {
                throw new InvalidArgumentException("the head's parent " + LayerFiles.displayName(headParent)
                        + " of replica " + dir + " is not among the snapshots to rebuild");
            }
            updateMeta(m -> m.withRebuilding(true));
            closeLayers();
            try {
                for (LayerMeta m : wanted.values()) {
                    MetaFiles.write(dir.resolve(m.name() + LayerMeta.SUFFIX), m);
                    if (!Files.exists(dir.resolve(m.name()))) {
                        createSparse(dir.resolve(m.name()), meta.size());
                    }
                    metas.put(m.name(), m);
                }
                for (String f : List.copyOf(metas.keySet())) {
                    if (LayerFiles.isSnapshot(f) && !wanted.containsKey(f)) {
                        deleteQuietly(f);
                        metas.remove(f);
                    }
                }
                MetaFiles.syncDirectory(dir);
            } catch (IOException e) {
                throw new ReplicaIOException("failed to prepare rebuild of replica " + dir, e);
            } finally {
                loadChain();
            }
            LOG.infof("replica %s: prepared to rebuild %d snapshots", dir, wanted.size());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Writes received snapshot data into a layer file during a rebuild. */
    public void writeFile(String file, long offset, ByteBuffer src) {
        lock.readLock().lock();
        try {
            ensureOpen();
            requireRebuildTarget(file);
            if (offset < 0 || offset % BLOCK_SIZE != 0 || src.remaining() % BLOCK_SIZE != 0
                    || offset + src.remaining() > meta.size()) {
                throw new InvalidArgumentException("write of " + src.remaining() + " bytes at " + offset + " to " + file
                        + " is unaligned or beyond the size " + meta.size());
            }
            withLayer(file, true, l -> {
                l.writeFully(src, offset);
                l.forgetExtents();
            });
        } catch (IOException e) {
            throw new ReplicaIOException("failed to write " + file + " at " + offset + " in replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Punches holes in a layer file everywhere outside {@code keep}, during a rebuild. */
    public void retainExtents(String file, List<Extent> keep) {
        lock.readLock().lock();
        try {
            ensureOpen();
            requireRebuildTarget(file);
            List<Extent> sorted = new ArrayList<>(keep);
            sorted.sort(java.util.Comparator.comparingLong(Extent::offset));
            long fileSize = Files.size(dir.resolve(file));
            withLayer(file, true, l -> {
                long pos = 0;
                for (Extent e : sorted) {
                    if (e.offset() > pos) {
                        NativeFiles.punchHole(l.fd, pos, e.offset() - pos);
                    }
                    pos = Math.max(pos, e.end());
                }
                if (fileSize > pos) {
                    NativeFiles.punchHole(l.fd, pos, fileSize - pos);
                }
                l.forgetExtents();
            });
        } catch (IOException e) {
            throw new ReplicaIOException("failed to trim " + file + " in replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Makes the received layers durable, reloads the index and clears the rebuilding mark. The
     * fsync of the received snapshot files, which may take seconds, runs under the shared lock, so
     * client writes go on meanwhile; only reopening the chain takes the exclusive one. Nothing
     * writes those files any more (the engine calls this once every stream ended), and the head
     * needs no fsync here: its writes are made durable by flushes, as always.
     */
    public void rebuildFinish() {
        lock.readLock().lock();
        try {
            ensureOpen();
            Layer[] ch = chain;
            for (int i = 1; i < ch.length - 1; i++) {
                ch[i].channel.force(false);
            }
            step("rebuildFinish.synced");
        } catch (IOException e) {
            throw new ReplicaIOException("failed to finish rebuild of replica " + dir, e);
        } finally {
            lock.readLock().unlock();
        }
        lock.writeLock().lock();
        try {
            ensureOpen();
            closeLayers();
            loadChain();
            updateMeta(m -> m.withRebuilding(false));
            LOG.infof("replica %s: rebuild finished", dir);
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- internals

    private Layer head() {
        Layer[] ch = chain;
        return ch[ch.length - 1];
    }

    private void ensureOpen() {
        if (closed) {
            throw new ReplicaException("replica " + dir + " is closed");
        }
    }

    private void checkIo(String op, long offset, long length) {
        long size = meta.size();
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new InvalidArgumentException(op + " of " + length + " bytes at " + offset
                    + " is beyond the size " + size + " of replica " + dir);
        }
        if (offset % BLOCK_SIZE != 0 || length % BLOCK_SIZE != 0) {
            throw new InvalidArgumentException(op + " of " + length + " bytes at " + offset
                    + " is not aligned to " + BLOCK_SIZE + " bytes");
        }
    }

    private static void checkSize(long size) {
        if (size <= 0) {
            throw new InvalidArgumentException("size must be positive, got " + size);
        }
        if (size % BLOCK_SIZE != 0) {
            throw new InvalidArgumentException("size must be a multiple of " + BLOCK_SIZE + ", got " + size);
        }
    }

    private static void validate(VolumeMeta vm, Path file) {
        if (vm.size() <= 0 || vm.size() % BLOCK_SIZE != 0) {
            throw new CorruptMetadataException(file + " has an invalid Size " + vm.size());
        }
        if (vm.head() == null || !LayerFiles.isHead(vm.head())) {
            throw new CorruptMetadataException(file + " has an invalid Head \"" + vm.head() + "\"");
        }
        if (vm.sectorSize() != 0 && vm.sectorSize() != BLOCK_SIZE) {
            throw new CorruptMetadataException(file + " has SectorSize " + vm.sectorSize() + "; only " + BLOCK_SIZE + " is supported");
        }
    }

    private static String requireSnapshotName(String name) {
        try {
            return Names.requireSnapshotName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(e.getMessage());
        }
    }

    private static Map<String, String> checkLabels(Map<String, String> labels) {
        if (labels == null) {
            return Map.of();
        }
        for (var e : labels.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null) {
                throw new InvalidArgumentException("invalid label " + e.getKey() + "=" + e.getValue()
                        + ": keys must not be empty and values must be set");
            }
        }
        return Map.copyOf(labels);
    }

    private void requireLayer(String file) {
        if (file == null || !metas.containsKey(file)) {
            throw new NotFoundException("layer file " + file + " does not exist in replica " + dir);
        }
    }

    private void requireRebuildTarget(String file) {
        requireLayer(file);
        if (!meta.rebuilding()) {
            throw new InvalidArgumentException("replica " + dir + " is not rebuilding; its snapshot files are read-only");
        }
        if (!LayerFiles.isSnapshot(file)) {
            throw new InvalidArgumentException("only snapshot files can be rebuilt, not " + file);
        }
    }

    private interface LayerAction {
        void run(Layer layer) throws IOException;
    }

    /** Runs an action on a layer file, through the chain's open layer or a temporary one. */
    private void withLayer(String file, boolean write, LayerAction action) throws IOException {
        for (Layer l : chain) {
            if (l != null && l.file.equals(file)) {
                action.run(l);
                return;
            }
        }
        try (Layer tmp = Layer.open(dir, file, metas.get(file))) {
            action.run(tmp);
            if (write) {
                tmp.channel.force(false);
            }
        }
    }

    /**
     * Builds the new {@code volume.meta} from the current one and writes it, both under one lock:
     * calls that change different fields under the shared lock (generation, error) would otherwise
     * each start from the same old value and the second write would undo the first.
     */
    private void updateMeta(java.util.function.UnaryOperator<VolumeMeta> change) {
        synchronized (metaLock) {
            VolumeMeta next = change.apply(meta);
            MetaFiles.write(dir.resolve(VolumeMeta.FILE), next);
            meta = next;
        }
    }

    /** Opens the active chain's layers and rebuilds the block index from their data maps. */
    private void loadChain() {
        List<String> files = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        String f = meta.head();
        while (!f.isEmpty()) {
            if (!seen.add(f)) {
                throw new CorruptMetadataException("the snapshot chain of replica " + dir + " has a cycle at " + f);
            }
            LayerMeta m = metas.get(f);
            if (m == null) {
                throw new CorruptMetadataException("layer " + f + " in the chain of replica " + dir + " does not exist");
            }
            files.addFirst(f);
            f = m.parent();
        }
        if (files.size() > LayerIndex.MAX_LAYERS) {
            throw new CorruptMetadataException("replica " + dir + " has " + files.size() + " layers, more than " + LayerIndex.MAX_LAYERS);
        }
        Layer[] next = new Layer[files.size() + 1];
        long size = meta.size();
        LayerIndex idx = new LayerIndex(size / BLOCK_SIZE);
        try {
            for (int i = 0; i < files.size(); i++) {
                Layer l = Layer.open(dir, files.get(i), metas.get(files.get(i)));
                next[i + 1] = l;
                for (Extent e : l.extents()) {
                    long end = Math.min(e.end(), size);
                    if (end > e.offset()) {
                        idx.setRange(e.offset() / BLOCK_SIZE, (end - e.offset()) / BLOCK_SIZE, i + 1);
                    }
                }
                if (i == files.size() - 1) {
                    l.forgetExtents(); // the head changes; never trust a cached map of it
                }
            }
        } catch (IOException e) {
            for (Layer l : next) {
                if (l != null) {
                    l.close();
                }
            }
            throw new ReplicaIOException("failed to open the layers of replica " + dir, e);
        }
        chain = next;
        index = idx;
    }

    private void closeLayers() {
        for (Layer l : chain) {
            if (l != null) {
                l.close();
            }
        }
        chain = new Layer[1];
    }

    private Map<String, List<String>> children() {
        Map<String, List<String>> kids = new java.util.HashMap<>();
        for (LayerMeta m : metas.values()) {
            if (!m.parent().isEmpty()) {
                kids.computeIfAbsent(m.parent(), k -> new ArrayList<>()).add(m.name());
            }
        }
        return kids;
    }

    private void sortByCreated(List<String> files) {
        files.sort(java.util.Comparator.comparing((String x) -> metas.get(x).created()).thenComparing(x -> x));
    }

    private SnapshotInfo info(String file) {
        LayerMeta m = metas.get(file);
        List<String> kids = new ArrayList<>();
        for (LayerMeta o : metas.values()) {
            if (o.parent().equals(file)) {
                kids.add(LayerFiles.displayName(o.name()));
            }
        }
        kids.sort(null);
        Instant created;
        try {
            created = Instant.parse(m.created());
        } catch (RuntimeException e) {
            created = Instant.EPOCH;
        }
        return new SnapshotInfo(LayerFiles.displayName(file), file,
                m.parent().isEmpty() ? null : LayerFiles.displayName(m.parent()), List.copyOf(kids), created,
                m.labels(), m.userCreated(), m.removed(), allocated(file), LayerFiles.isHead(file));
    }

    private long allocated(String file) {
        try {
            long n = 0;
            for (Extent e : NativeFiles.dataExtents(dir.resolve(file), BLOCK_SIZE)) {
                n += e.length();
            }
            return n;
        } catch (IOException e) {
            throw new ReplicaIOException("failed to read the data map of " + file + " in replica " + dir, e);
        }
    }

    /**
     * Copies the blocks of removed snapshot {@code p} that its only child does not override into the
     * child, re-parents the child (the commit point: before it the extra blocks in the child read
     * exactly as they did through the parent), then deletes p.
     */
    private void coalesce(LayerMeta p, String childFile) throws IOException {
        LayerMeta c = metas.get(childFile);
        Layer[] ch = chain;
        int pPos = -1;
        for (int i = 1; i < ch.length; i++) {
            if (ch[i].file.equals(p.name())) {
                pPos = i;
            }
        }
        List<Extent> todo = Extent.subtract(NativeFiles.dataExtents(dir.resolve(p.name()), BLOCK_SIZE),
                NativeFiles.dataExtents(dir.resolve(childFile), BLOCK_SIZE));
        long copied = 0;
        try (Layer src = Layer.open(dir, p.name(), p)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(COPY_CHUNK);
            LayerAction copy = dst -> {
                for (Extent e : todo) {
                    for (long pos = e.offset(); pos < e.end(); pos += COPY_CHUNK) {
                        int n = (int) Math.min(COPY_CHUNK, e.end() - pos);
                        buf.clear().limit(n);
                        src.readFully(buf, pos);
                        buf.flip();
                        dst.writeFully(buf, pos);
                        step("purge.copying");
                    }
                }
                dst.channel.force(false);
                dst.forgetExtents();
            };
            withLayer(childFile, true, copy);
        }
        for (Extent e : todo) {
            copied += e.length();
        }
        step("purge.copied");
        LayerMeta reparented = c.withParent(p.parent());
        MetaFiles.write(dir.resolve(childFile + LayerMeta.SUFFIX), reparented);
        metas.put(childFile, reparented);
        step("purge.reparented");
        if (childFile.equals(meta.head())) {
            updateMeta(m -> m.withParent(p.parent()));
            step("purge.volumeMetaWritten");
        }
        if (pPos > 0) {
            index.mergedIntoChild(pPos);
            Layer[] next = new Layer[ch.length - 1];
            for (int i = 0, j = 0; i < ch.length; i++) {
                if (i != pPos) {
                    next[j++] = ch[i];
                }
            }
            next[pPos].meta = reparented;
            chain = next;
            ch[pPos].close();
        }
        deleteQuietly(p.name());
        metas.remove(p.name());
        MetaFiles.syncDirectory(dir);
        LOG.infof("replica %s: purged snapshot %s into %s, copying %d bytes", dir,
                LayerFiles.displayName(p.name()), LayerFiles.displayName(childFile), copied);
    }

    private void deleteLayer(String file) throws IOException {
        deleteQuietly(file);
        metas.remove(file);
        MetaFiles.syncDirectory(dir);
        LOG.infof("replica %s: purged snapshot %s, which no layer depends on", dir, LayerFiles.displayName(file));
    }

    /** Deletes layer files, each image before its .meta (recovery relies on that order). */
    private void deleteQuietly(String... files) {
        for (String f : files) {
            try {
                Files.deleteIfExists(dir.resolve(f));
                Files.deleteIfExists(dir.resolve(f + ChecksumFile.SUFFIX));
                step("layer.imageDeleted");
                Files.deleteIfExists(dir.resolve(f + LayerMeta.SUFFIX));
            } catch (IOException e) {
                LOG.warnf("replica %s: could not delete %s: %s", dir, f, e.getMessage());
            }
        }
    }

    static void createSparse(Path p, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    private static String now() {
        return rfc3339(Instant.now());
    }

    private static String rfc3339(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
