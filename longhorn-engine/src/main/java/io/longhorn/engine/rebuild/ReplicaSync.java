package io.longhorn.engine.rebuild;

import io.longhorn.api.replica.DataChunk;
import io.longhorn.api.replica.Extent;
import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.SnapshotInfo;
import io.longhorn.engine.backend.ReplicaControl;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Makes a target replica's snapshot files identical to a source replica's, copying only what
 * differs:
 * <ol>
 *   <li>RebuildPrepare on the target with the source's snapshots (parents first): files it already
 *       has under the same names are kept, the others are created empty.</li>
 *   <li>For each file, batch by batch: the source's data extents; SHA-256 per chunk on both
 *       replicas (skipped when the target has no data there at all); the chunks that differ are
 *       streamed from the source (ReadExtents) to the target (WriteExtents).</li>
 *   <li>RetainExtents on the target punches whatever the source does not have, so holes stay
 *       holes.</li>
 *   <li>Verification: per file, the checksums of the source's extents match on the target and the
 *       target holds no data outside them.</li>
 *   <li>Verification of what clients read: the target reopens its chain (RebuildPrepare again with
 *       the same list, which keeps every file), then the volume as read through all layers, the
 *       head included, is compared by checksum wherever either replica holds data in any layer.
 *       Clients keep writing meanwhile, so a chunk may differ only because a write reached one
 *       replica between the two checksums: differing chunks are checked again, and what still
 *       differs is checked once more with client I/O paused (a few MiB per pause), when nothing is
 *       in flight. A difference then fails the rebuild.</li>
 * </ol>
 * The head is not copied: the target has received every write since it joined, as a replica
 * already marked rebuilding (which writes explicit zeros for write-zeroes and trims, since what its
 * snapshot files will hold is not known yet). The caller ends the rebuild (generation,
 * RebuildFinish, RW) once this returns.
 */
public final class ReplicaSync {

    private static final Logger LOG = Logger.getLogger(ReplicaSync.class);
    /** Checksum granularity: the unit of delta copies. */
    public static final int CHUNK = 2 << 20;
    /** Data compared (and at most copied) per round trip. */
    static final long BATCH = 64L << 20;
    /** At most this much data is checked again with client I/O paused (a few tens of ms of hashing). */
    static final long PAUSED_BYTES = 8L << 20;
    /** Rechecks of differing chunks while clients write, before the paused one. */
    static final int RECHECKS = 3;
    /** {@link ReplicaControl#checksumRanges} of this "file" covers the volume as clients read it. */
    static final String VOLUME = "";

    /** Runs a check with client I/O paused: every request in flight answered, new ones held back. */
    @FunctionalInterface
    public interface Pauser {
        List<Extent> whilePaused(Supplier<List<Extent>> check);
    }

    private final String volume;
    private final ReplicaControl source;
    private final ReplicaControl target;
    private final RebuildProgress progress;
    private final BooleanSupplier cancelled;
    private final Pauser pauser;

    /**
     * @param cancelled polled between batches; true stops the rebuild (the target failed or was removed)
     * @param pauser    pauses client I/O for the last comparison of what clients read
     */
    public ReplicaSync(String volume, ReplicaControl source, ReplicaControl target, RebuildProgress progress,
                       BooleanSupplier cancelled, Pauser pauser) {
        this.volume = volume;
        this.source = source;
        this.target = target;
        this.progress = progress;
        this.cancelled = cancelled;
        this.pauser = pauser;
    }

    /** Copies and verifies every file of {@code snapshots} (as reported by the source). */
    public void run(List<SnapshotInfo> snapshots) {
        List<SnapshotInfo> chain = SnapshotOrder.parentsFirst(snapshots);
        target.rebuildPrepare(chain);
        List<List<Extent>> sourceExtents = new ArrayList<>();
        for (SnapshotInfo s : chain) {
            List<Extent> extents = ExtentMath.normalize(source.listExtents(s.getFile()).getExtentsList());
            sourceExtents.add(extents);
            progress.addTotal(ExtentMath.total(extents));
        }
        LOG.infof("volume %s: rebuilding replica %s from %s: %d snapshot files, %d bytes of data", volume,
                target.address(), source.address(), chain.size(), progress.total());
        for (int i = 0; i < chain.size(); i++) {
            syncFile(chain.get(i).getFile(), sourceExtents.get(i));
        }
        for (int i = 0; i < chain.size(); i++) {
            verify(chain.get(i).getFile(), sourceExtents.get(i));
        }
        // The copy went into the target's files behind its block index: reopening the chain makes
        // it read through them, as it will once the rebuild is finished.
        target.rebuildPrepare(chain);
        List<Extent> anyData = new ArrayList<>();
        sourceExtents.forEach(anyData::addAll);
        verifyReadable(anyData);
    }

    /**
     * Compares the volume as clients read it on both replicas wherever either holds data in any
     * layer ({@code snapshotData}: the chain's snapshot files, identical on both by now; plus each
     * head); elsewhere both read zeros.
     */
    private void verifyReadable(List<Extent> snapshotData) {
        checkCancelled();
        progress.currentFile("volume (verifying what clients read)");
        List<Extent> ranges = new ArrayList<>(snapshotData);
        ranges.addAll(source.listExtents(source.info().getHead()).getExtentsList());
        ranges.addAll(target.listExtents(target.info().getHead()).getExtentsList());
        List<Extent> differ = new ArrayList<>();
        for (List<Extent> batch : ExtentMath.batches(ExtentMath.normalize(ranges), BATCH, CHUNK)) {
            checkCancelled();
            differ.addAll(differingReads(batch));
        }
        for (int i = 0; i < RECHECKS && ExtentMath.total(differ) > PAUSED_BYTES; i++) {
            checkCancelled();
            differ = differingReads(differ);
        }
        // What still differs is checked with client I/O paused, a few MiB per pause.
        for (List<Extent> suspects : ExtentMath.batches(differ, PAUSED_BYTES, CHUNK)) {
            checkCancelled();
            List<Extent> still = pauser.whilePaused(() -> differingReads(suspects));
            if (!still.isEmpty()) {
                throw new RebuildException("rebuild of replica " + target.address() + " of volume " + volume
                        + ": with client I/O paused, clients would read " + ExtentMath.total(still)
                        + " bytes differently from the source " + source.address() + ", e.g. "
                        + still.getFirst().getLength() + " bytes at " + still.getFirst().getOffset());
            }
        }
    }

    /** The chunks of {@code ranges} that read differently on source and target. */
    private List<Extent> differingReads(List<Extent> ranges) {
        List<Extent> out = new ArrayList<>();
        for (List<Extent> batch : ExtentMath.batches(ranges, BATCH, CHUNK)) {
            out.addAll(ChunkDiff.differing(source.checksumRanges(VOLUME, batch, CHUNK),
                    target.checksumRanges(VOLUME, batch, CHUNK)));
        }
        return ExtentMath.normalize(out);
    }


    private void syncFile(String file, List<Extent> extents) {
        progress.currentFile(file);
        List<Extent> theirs = ExtentMath.normalize(target.listExtents(file).getExtentsList());
        ReplicaControl.ExtentWriter writer = null;
        try {
            for (List<Extent> batch : ExtentMath.batches(extents, BATCH, CHUNK)) {
                checkCancelled();
                List<Extent> copy = differing(file, batch, theirs);
                if (!copy.isEmpty()) {
                    if (writer == null) {
                        writer = target.writeExtents();
                    }
                    copy(file, copy, writer);
                    progress.addCopied(ExtentMath.total(copy));
                }
                progress.addDone(ExtentMath.total(batch));
            }
            if (writer != null) {
                writer.finish();
                writer = null;
            }
        } finally {
            if (writer != null) {
                writer.cancel("rebuild of " + file + " stopped");
            }
        }
        target.retainExtents(file, extents);
    }

    /** The ranges of {@code batch} the target lacks: all of it where the target has no data at all. */
    private List<Extent> differing(String file, List<Extent> batch, List<Extent> theirs) {
        Extent first = batch.getFirst();
        Extent last = batch.getLast();
        if (!ExtentMath.overlaps(theirs, first.getOffset(), last.getOffset() + last.getLength())) {
            return batch;
        }
        List<RangeChecksum> mine = source.checksumRanges(file, batch, CHUNK);
        List<RangeChecksum> other = target.checksumRanges(file, batch, CHUNK);
        return ChunkDiff.differing(mine, other);
    }

    private void copy(String file, List<Extent> ranges, ReplicaControl.ExtentWriter writer) {
        ReplicaControl.ExtentWriter w = writer;
        source.readExtents(file, ranges, chunk -> w.write(chunk.getFile().equals(file) ? chunk
                : DataChunk.newBuilder(chunk).setFile(file).build()));
    }

    private void verify(String file, List<Extent> extents) {
        checkCancelled();
        progress.currentFile(file + " (verifying)");
        List<Extent> theirs = target.listExtents(file).getExtentsList();
        List<Extent> extra = ExtentMath.minus(theirs, extents);
        if (!extra.isEmpty()) {
            throw new RebuildException("rebuild of replica " + target.address() + " of volume " + volume + ": "
                    + file + " holds data outside the source's extents, e.g. " + extra.getFirst().getLength()
                    + " bytes at " + extra.getFirst().getOffset());
        }
        for (List<Extent> batch : ExtentMath.batches(extents, BATCH, CHUNK)) {
            List<Extent> diff = ChunkDiff.differing(source.checksumRanges(file, batch, CHUNK),
                    target.checksumRanges(file, batch, CHUNK));
            if (!diff.isEmpty()) {
                throw new RebuildException("rebuild of replica " + target.address() + " of volume " + volume
                        + ": " + file + " differs from the source after the copy, e.g. " + diff.getFirst().getLength()
                        + " bytes at " + diff.getFirst().getOffset());
            }
        }
    }

    private void checkCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new RebuildException("rebuild of replica " + target.address() + " of volume " + volume + " was stopped");
        }
    }
}
