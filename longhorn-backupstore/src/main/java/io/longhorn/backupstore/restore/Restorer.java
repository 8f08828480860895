package io.longhorn.backupstore.restore;

import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.CorruptDataException;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.format.BlockMapping;
import io.longhorn.backupstore.format.Checksums;
import io.longhorn.backupstore.format.Compression;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.format.VolumeConfig;
import io.longhorn.backupstore.lock.BackupLock;
import io.longhorn.backupstore.lock.LockType;
import io.longhorn.backupstore.store.VolumeStore;
import io.longhorn.backupstore.work.BlockWorkers;
import io.longhorn.backupstore.work.Cancellation;
import io.longhorn.backupstore.work.ProgressListener;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Restores a backup into a target. Input is checked first (backup exists, target large enough,
 * not marked failed, and empty, or a valid last restored backup): bad input writes nothing. On any
 * failure once writing began the target is marked failed, the error names the block, the backup and
 * the volume, and it says {@link BackupStoreException#targetIncomplete()}. A target marked failed
 * takes only a full restore with overwrite, whose success clears the mark.
 */
public final class Restorer {
    private static final Logger LOG = Logger.getLogger(Restorer.class);
    /** Marks a block the plan writes zeros to. */
    private static final String ZERO = "";

    private final BackupStoreDriver driver;
    private final RestoreRequest request;
    private final RestoreTarget target;
    private final String volume;

    private Restorer(BackupStoreDriver driver, RestoreRequest request, RestoreTarget target) {
        this.driver = driver;
        this.request = request;
        this.target = target;
        this.volume = request.volumeName();
    }

    /**
     * @throws BackupStoreException typed by cause; the target is marked failed if anything was written
     */
    public static RestoreResult restore(BackupStoreDriver driver, RestoreRequest request, RestoreTarget target,
                                        ProgressListener progress, Cancellation cancel) {
        return new Restorer(driver, request, target).run(progress, cancel);
    }

    private RestoreResult run(ProgressListener progress, Cancellation cancel) {
        VolumeStore store = new VolumeStore(driver, volume);
        // An unknown backup is reported before anything, not even a lock, is written to the target.
        store.backup(request.backupName());
        cancel.check("restore of backup " + request.backupName());
        try (BackupLock lock = BackupLock.acquire(driver, volume, LockType.BACKUP)) {
            // Under the lock no deletion can remove the backup or its blocks: what is read now holds.
            BackupConfig backup = store.backup(request.backupName());
            return run(store, backup, progress, cancel);
        }
    }

    private RestoreResult run(VolumeStore store, BackupConfig backup, ProgressListener progress, Cancellation cancel) {
        VolumeConfig vol = store.volumeConfig().orElse(null);
        long volumeSize = backup.volumeSize() > 0 ? backup.volumeSize() : vol == null ? 0 : vol.size();
        if (volumeSize <= 0) {
            throw new CorruptDataException("backup " + backup.name() + " of volume " + volume + " in " + driver.url()
                    + " does not record the volume size");
        }
        if (target.size() < volumeSize) {
            throw new InvalidInputException(target.describe() + " has " + target.size() + " bytes, less than the "
                    + volumeSize + " of volume " + volume + " in backup " + backup.name());
        }
        TreeMap<Long, String> plan = plan(store, backup, volumeSize);
        Compression compression = backup.compression(vol);
        LOG.infof("volume %s: restoring backup %s from %s to %s%s: %d blocks", volume, backup.name(), driver.url(),
                target.describe(), request.lastRestoredBackup() == null ? ""
                        : " (incremental from " + request.lastRestoredBackup() + ")", plan.size());
        try {
            RestoreResult result = write(backup, plan, volumeSize, compression, progress, cancel);
            RestoreTarget.await(target.flush(), "flush " + target.describe());
            if (request.overwrite() && request.lastRestoredBackup() == null) {
                target.clearFailure(); // every block was rewritten: the content is the backup's
            }
            LOG.infof("volume %s: restored backup %s to %s: %d blocks written, %d zeroed", volume, backup.name(),
                    target.describe(), result.blocksWritten(), result.blocksZeroed());
            return result;
        } catch (RuntimeException e) {
            BackupStoreException failure = e instanceof BackupStoreException b ? b
                    : new TargetIOException("restore of backup " + backup.name() + " of volume " + volume + " to "
                    + target.describe() + " failed: " + e, e);
            LOG.errorf("volume %s: restore of backup %s to %s failed: %s", volume, backup.name(),
                    target.describe(), failure.getMessage());
            target.markFailed(failure.getMessage());
            throw failure.withTargetIncomplete();
        } catch (Error e) {
            target.markFailed(e.toString());
            throw e;
        }
    }

    /** Offset → checksum to write, or {@link #ZERO} to zero. */
    private TreeMap<Long, String> plan(VolumeStore store, BackupConfig backup, long volumeSize) {
        TreeMap<Long, String> plan = new TreeMap<>();
        for (BlockMapping m : backup.blocksOrEmpty()) {
            if (m.offset() < 0 || m.offset() % Layout.BLOCK_SIZE != 0 || m.offset() >= volumeSize
                    || !Checksums.isValid(m.blockChecksum())) {
                throw new CorruptDataException("backup " + backup.name() + " of volume " + volume + " has an invalid "
                        + "block entry (offset " + m.offset() + ", checksum " + m.blockChecksum() + ")");
            }
            plan.put(m.offset(), m.blockChecksum());
        }
        String last = request.lastRestoredBackup();
        String failure = target.failure();
        if (failure != null && (last != null || !request.overwrite())) {
            throw new InvalidInputException(target.describe() + " is marked failed (" + failure + "): its content "
                    + "cannot be trusted; restore the whole backup into it with overwrite, or into a new volume");
        }
        if (last != null) {
            BackupConfig previous;
            try {
                previous = store.backup(last);
            } catch (NotFoundException e) {
                throw new InvalidInputException("last restored backup " + last + " of volume " + volume
                        + " no longer exists in " + driver.url() + ": restore fully into a new volume");
            }
            Map<Long, String> had = new HashMap<>();
            for (BlockMapping m : previous.blocksOrEmpty()) {
                had.put(m.offset(), m.blockChecksum());
            }
            for (Long offset : had.keySet()) {
                if (offset < volumeSize) {
                    plan.putIfAbsent(offset, ZERO); // had data, the backup has a hole there
                }
            }
            plan.entrySet().removeIf(e -> e.getValue().equals(had.get(e.getKey())));
        } else if (!target.isEmpty()) {
            if (!request.overwrite()) {
                throw new InvalidInputException(target.describe() + " is not empty: restore into a new volume, "
                        + "give the last restored backup for a standby volume, or overwrite");
            }
            for (long offset = 0; offset < volumeSize; offset += Layout.BLOCK_SIZE) {
                plan.putIfAbsent(offset, ZERO);
            }
        }
        return plan;
    }

    private RestoreResult write(BackupConfig backup, TreeMap<Long, String> plan, long volumeSize,
                                Compression compression, ProgressListener progress, Cancellation cancel) {
        AtomicLong written = new AtomicLong();
        AtomicLong zeroed = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long[] offsets = plan.keySet().stream().mapToLong(Long::longValue).toArray();
        BlockWorkers.run("restore of backup " + backup.name() + " of volume " + volume + " to " + target.describe(),
                request.concurrency(), offsets, () -> new byte[Layout.BLOCK_SIZE],
                cancel, progress, (offset, buf) -> {
                    int len = (int) Math.min(Layout.BLOCK_SIZE, volumeSize - offset);
                    String checksum = plan.get(offset);
                    if (checksum.equals(ZERO)) {
                        RestoreTarget.await(target.writeZeros(offset, len), "zero " + len + " bytes at " + offset + " of "
                                + target.describe());
                        zeroed.incrementAndGet();
                    } else {
                        int n = fetch(backup, offset, checksum, compression, buf, len);
                        RestoreTarget.await(target.write(offset, buf, n), "write block " + checksum + " (" + n + " bytes at "
                                + offset + ") to " + target.describe());
                        written.incrementAndGet();
                    }
                    bytes.addAndGet(len);
                });
        return new RestoreResult(backup.name(), request.lastRestoredBackup() != null, written.get(), zeroed.get(),
                bytes.get());
    }

    /** Reads, decompresses and verifies one block; returns its length. */
    private int fetch(BackupConfig backup, long offset, String checksum, Compression compression, byte[] buf,
                      int expected) {
        String what = "block " + checksum + " (offset " + offset + ") of backup " + backup.name() + " of volume "
                + volume;
        byte[] stored;
        try {
            stored = new VolumeStore(driver, volume).readBlock(checksum);
        } catch (NotFoundException e) {
            throw new CorruptDataException(what + " is missing from " + driver.url());
        }
        int n = compression.decompress(stored, buf, what);
        if (n != expected) {
            throw new CorruptDataException(what + " holds " + n + " bytes, expected " + expected);
        }
        String actual = Checksums.blockChecksum(buf, 0, n);
        if (!actual.equals(checksum)) {
            throw new CorruptDataException(what + " fails checksum verification (its content hashes to " + actual
                    + ")");
        }
        return n;
    }

}
