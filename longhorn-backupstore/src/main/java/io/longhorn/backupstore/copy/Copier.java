package io.longhorn.backupstore.copy;

import io.longhorn.backupstore.backup.ChainReader;
import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.format.Checksums;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.restore.RestoreTarget;
import io.longhorn.backupstore.source.Extent;
import io.longhorn.backupstore.source.SnapshotSource;
import io.longhorn.backupstore.source.SourceInfo;
import io.longhorn.backupstore.source.SourceSnapshot;
import io.longhorn.backupstore.work.BlockWorkers;
import io.longhorn.backupstore.work.Cancellation;
import io.longhorn.backupstore.work.ProgressListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Copies one snapshot of a source into a target, block by block, several blocks in flight. Input is
 * checked first (the snapshot exists, the target is as large as the source, empty and not marked
 * failed, unless overwrite): bad input writes nothing. Only blocks where some layer of the chain
 * holds data are read, and blocks that read as zeros are not written, so holes stay holes in a new
 * volume; an overwriting copy zeroes every other block instead, so that the target ends equal to the
 * snapshot whatever it held. Once writing began, any failure marks the target failed (as a failed
 * restore does) and says {@link BackupStoreException#targetIncomplete()}.
 */
public final class Copier {
    private static final Logger LOG = Logger.getLogger(Copier.class);

    private final SnapshotSource source;
    private final CopyRequest request;
    private final RestoreTarget target;

    private Copier(SnapshotSource source, CopyRequest request, RestoreTarget target) {
        this.source = source;
        this.request = request;
        this.target = target;
    }

    /**
     * @throws BackupStoreException typed by cause; the target is marked failed if anything was written
     */
    public static CopyResult copy(SnapshotSource source, CopyRequest request, RestoreTarget target,
                                  ProgressListener progress, Cancellation cancel) {
        return new Copier(source, request, target).run(progress, cancel);
    }


    private CopyResult run(ProgressListener progress, Cancellation cancel) {
        SourceInfo info = source.info();
        List<SourceSnapshot> chain = info.chain(request.snapshot());
        long size = info.size();
        if (target.size() < size) {
            throw new InvalidInputException(target.describe() + " has " + target.size() + " bytes, less than the "
                    + size + " of " + info.description());
        }
        String failure = target.failure();
        if (failure != null && !request.overwrite()) {
            throw new InvalidInputException(target.describe() + " is marked failed (" + failure + "): its content "
                    + "cannot be trusted; copy into it with overwrite, or into a new volume");
        }
        if (!request.overwrite() && !target.isEmpty()) {
            throw new InvalidInputException(target.describe() + " is not empty: copy into a new volume, or overwrite");
        }
        Map<String, List<Extent>> extents = new HashMap<>();
        for (SourceSnapshot s : chain) {
            extents.put(s.file(), source.extents(s.file()));
        }
        long[] offsets = blocks(extents, size);
        String what = "copy of snapshot " + request.snapshot() + " of " + info.description() + " to volume "
                + request.volumeName() + " (" + target.describe() + ")";
        cancel.check(what);
        LOG.infof("volume %s: copying snapshot %s from %s to %s: %d blocks%s", request.volumeName(),
                request.snapshot(), info.description(), target.describe(), offsets.length,
                request.overwrite() ? " (overwrite)" : "");
        try {
            CopyResult result = write(what, new ChainReader(source, chain, extents), size, offsets, progress, cancel);
            RestoreTarget.await(target.flush(), "flush " + target.describe());
            if (request.overwrite()) {
                target.clearFailure(); // every block was rewritten: the content is the snapshot's
            }
            LOG.infof("volume %s: copied snapshot %s to %s: %d blocks written, %d zeroed", request.volumeName(),
                    request.snapshot(), target.describe(), result.blocksWritten(), result.blocksZeroed());
            return result;
        } catch (RuntimeException e) {
            BackupStoreException f = e instanceof BackupStoreException b ? b
                    : new TargetIOException(what + " failed: " + e, e);
            LOG.errorf("volume %s: %s failed: %s", request.volumeName(), what, f.getMessage());
            target.markFailed(f.getMessage());
            throw f.withTargetIncomplete();
        } catch (Error e) {
            target.markFailed(e.toString());
            throw e;
        }
    }

    /** The block offsets to process: those any layer has data in, or all of them for an overwrite. */
    private long[] blocks(Map<String, List<Extent>> extents, long size) {
        TreeSet<Long> set = new TreeSet<>();
        if (request.overwrite()) {
            for (long o = 0; o < size; o += Layout.BLOCK_SIZE) {
                set.add(o);
            }
        } else {
            for (List<Extent> list : extents.values()) {
                for (Extent e : list) {
                    long end = Math.min(e.end(), size);
                    for (long o = e.offset() / Layout.BLOCK_SIZE * Layout.BLOCK_SIZE; o < end; o += Layout.BLOCK_SIZE) {
                        set.add(o);
                    }
                }
            }
        }
        return set.stream().mapToLong(Long::longValue).toArray();
    }

    private CopyResult write(String what, ChainReader reader, long size, long[] offsets, ProgressListener progress,
                             Cancellation cancel) {
        AtomicLong written = new AtomicLong();
        AtomicLong zeroed = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        BlockWorkers.run(what, request.concurrency(), offsets, () -> new byte[Layout.BLOCK_SIZE], cancel, progress,
                (offset, buf) -> {
                    int len = (int) Math.min(Layout.BLOCK_SIZE, size - offset);
                    reader.read(offset, buf, len);
                    if (!Checksums.isZero(buf, len)) {
                        RestoreTarget.await(target.write(offset, buf, len), "write " + len + " bytes at " + offset + " to "
                                + target.describe());
                        written.incrementAndGet();
                    } else if (request.overwrite()) {
                        RestoreTarget.await(target.writeZeros(offset, len), "zero " + len + " bytes at " + offset + " of "
                                + target.describe());
                        zeroed.incrementAndGet();
                    }
                    bytes.addAndGet(len);
                });
        return new CopyResult(written.get(), zeroed.get(), bytes.get());
    }


}
