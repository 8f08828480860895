package io.longhorn.backupstore.backup;

import io.longhorn.api.types.Names;
import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.format.BackupNames;
import io.longhorn.backupstore.format.BackupUrl;
import io.longhorn.backupstore.format.BlockMapping;
import io.longhorn.backupstore.format.Checksums;
import io.longhorn.backupstore.format.Compression;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.format.Times;
import io.longhorn.backupstore.format.VolumeConfig;
import io.longhorn.backupstore.lock.BackupLock;
import io.longhorn.backupstore.lock.LockType;
import io.longhorn.backupstore.source.Extent;
import io.longhorn.backupstore.source.SnapshotReader;
import io.longhorn.backupstore.source.SnapshotSource;
import io.longhorn.backupstore.source.SourceInfo;
import io.longhorn.backupstore.source.SourceSnapshot;
import io.longhorn.backupstore.store.VolumeStore;
import io.longhorn.backupstore.work.BlockWorkers;
import io.longhorn.backupstore.work.Cancellation;
import io.longhorn.backupstore.work.ProgressListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Backs up one snapshot of a source into a target. Steps: check the input (nothing is written for
 * bad input), take the backup lock, find the base backup, choose the blocks to read, process them
 * on several workers (read the overlay, skip zero blocks, checksum, upload if new), make the
 * blocks durable, write the backup cfg, then update {@code volume.cfg}.
 */
public final class BackupCreator {
    private static final Logger LOG = Logger.getLogger(BackupCreator.class);

    private final BackupStoreDriver driver;
    private final SnapshotSource source;
    private final BackupRequest request;
    private final ProgressListener progress;
    private final Cancellation cancel;
    private final String volume;

    private BackupCreator(BackupStoreDriver driver, SnapshotSource source, BackupRequest request,
                          ProgressListener progress, Cancellation cancel) {
        this.driver = driver;
        this.source = source;
        this.request = request;
        this.progress = progress;
        this.cancel = cancel;
        this.volume = request.volumeName();
    }

    /**
     * Runs a backup to completion.
     *
     * @throws io.longhorn.backupstore.error.BackupStoreException typed by cause; on any failure or
     *         cancellation no backup cfg is written, so no backup appears
     */
    public static BackupResult create(BackupStoreDriver driver, SnapshotSource source, BackupRequest request,
                                      ProgressListener progress, Cancellation cancel) {
        validate(request);
        return new BackupCreator(driver, source, request, progress, cancel).run();
    }

    static void validate(BackupRequest request) {
        try {
            Names.requireVolumeName(request.volumeName());
            Names.requireSnapshotName(request.snapshotName());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage());
        }
        if (request.backupName() != null) {
            BackupNames.require(request.backupName());
        }
    }

    /** The chosen plan: what to read and what to start from. */
    private record Plan(List<SourceSnapshot> chain, Map<String, List<Extent>> extents, long[] blocks,
                        BackupConfig base) {
    }

    private BackupResult run() {
        SourceInfo info = source.info();
        List<SourceSnapshot> chain = info.chain(request.snapshotName());
        if (info.size() <= 0 || info.size() % 4096 != 0) {
            throw new InvalidInputException("volume size " + info.size() + " of " + info.description()
                    + " is not a positive multiple of 4096");
        }
        VolumeStore store = new VolumeStore(driver, volume);
        String backupName = request.backupName() != null ? request.backupName() : BackupNames.generate();
        if (store.findBackup(backupName).isPresent()) {
            throw new InvalidInputException("backup " + backupName + " of volume " + volume + " already exists in "
                    + driver.url());
        }
        cancel.check("backup of volume " + volume);
        try (BackupLock lock = BackupLock.acquire(driver, volume, LockType.BACKUP)) {
            VolumeConfig vol = store.volumeConfig().orElse(null);
            if (vol == null) {
                // Upstream writes volume.cfg when a volume's first backup starts; a backup volume
                // with no backup yet is harmless and shows in listings.
                vol = VolumeConfig.create(volume, info.size(), Map.of(), request.compression());
                store.saveVolume(vol);
            } else if (vol.compression() != request.compression()) {
                LOG.infof("volume %s: keeps its compression %s (requested %s)", volume, vol.compression().method(),
                        request.compression().method());
            }
            Compression compression = vol.compression();
            Plan plan = plan(store, vol, info, chain);
            return upload(store, vol, info, chain.getLast(), plan, compression, backupName);
        }
    }

    private Plan plan(VolumeStore store, VolumeConfig vol, SourceInfo info, List<SourceSnapshot> chain) {
        Map<String, List<Extent>> extents = new HashMap<>();
        for (SourceSnapshot s : chain) {
            extents.put(s.file(), source.extents(s.file()));
        }
        BackupConfig base = baseBackup(store, vol, info, chain).orElse(null);
        List<List<Extent>> scan = new ArrayList<>();
        boolean afterBase = base == null;
        for (SourceSnapshot s : chain) {
            if (afterBase) {
                scan.add(extents.get(s.file()));
            }
            if (base != null && s.name().equals(base.snapshotName())) {
                afterBase = true;
            }
        }
        return new Plan(chain, extents, BlockSet.touched(scan, info.size()), base);
    }

    /**
     * The last backup, if an incremental backup may start from it: its snapshot is an ancestor of
     * (or is) the snapshot we back up, with the same creation time (a name can be reused), and the
     * volume size did not change.
     */
    private Optional<BackupConfig> baseBackup(VolumeStore store, VolumeConfig vol, SourceInfo info,
                                              List<SourceSnapshot> chain) {
        String last = vol.lastBackupName();
        if (last == null || last.isEmpty()) {
            return Optional.empty();
        }
        Optional<BackupConfig> cfg = store.findBackup(last);
        if (cfg.isEmpty()) {
            LOG.infof("volume %s: last backup %s is gone, full backup", volume, last);
            return Optional.empty();
        }
        BackupConfig b = cfg.get();
        long baseSize = b.volumeSize() > 0 ? b.volumeSize() : vol.size();
        Optional<SourceSnapshot> snap = chain.stream().filter(s -> s.name().equals(b.snapshotName())).findFirst();
        if (snap.isEmpty()) {
            LOG.infof("volume %s: snapshot %s of last backup %s is not in the chain of %s, full backup", volume,
                    b.snapshotName(), last, request.snapshotName());
            return Optional.empty();
        }
        String created = snap.get().created();
        if (created != null && !created.isEmpty() && b.snapshotCreatedAt() != null && !b.snapshotCreatedAt().isEmpty()
                && !sameInstant(created, b.snapshotCreatedAt())) {
            LOG.infof("volume %s: snapshot %s was re-created since backup %s, full backup", volume, b.snapshotName(),
                    last);
            return Optional.empty();
        }
        if (baseSize != info.size()) {
            LOG.infof("volume %s: size changed since backup %s, full backup", volume, last);
            return Optional.empty();
        }
        return cfg;
    }

    private static boolean sameInstant(String a, String b) {
        try {
            return java.time.Instant.parse(a).getEpochSecond() == java.time.Instant.parse(b).getEpochSecond();
        } catch (java.time.format.DateTimeParseException e) {
            return a.equals(b);
        }
    }

    private BackupResult upload(VolumeStore store, VolumeConfig vol, SourceInfo info, SourceSnapshot snapshot,
                                Plan plan, Compression compression, String backupName) {
        ConcurrentSkipListMap<Long, String> mapping = new ConcurrentSkipListMap<>();
        Set<String> known = new HashSet<>();
        if (plan.base() != null) {
            for (BlockMapping m : plan.base().blocksOrEmpty()) {
                mapping.put(m.offset(), m.blockChecksum());
                known.add(m.blockChecksum());
            }
        }
        LOG.infof("volume %s: %s backup %s of snapshot %s from %s to %s: %d blocks to read", volume,
                plan.base() == null ? "full" : "incremental (from " + plan.base().name() + ")", backupName,
                snapshot.name(), info.description(), driver.url(), plan.blocks().length);
        // The replica overlays its chain itself when it can (one read per block over its data
        // protocol); else the layers are read one by one and overlaid here.
        SnapshotReader reader = source.snapshotReader(snapshot.name())
                .orElseGet(() -> new ChainReader(source, plan.chain(), plan.extents()));
        Set<String> claimed = ConcurrentHashMap.newKeySet();
        AtomicLong uploadedBlocks = new AtomicLong();
        AtomicLong uploadedBytes = new AtomicLong();
        long size = info.size();
        // Each worker reads its next block while it checksums, compresses and stores the current
        // one, so the replica's reading and this side's computing overlap.
        BlockWorkers.runOverlapped("backup " + backupName + " of volume " + volume, request.concurrency(),
                plan.blocks(), () -> new byte[Layout.BLOCK_SIZE], cancel, progress,
                new BlockWorkers.TwoStepTask<byte[], SnapshotReader.Started>() {
                    @Override
                    public SnapshotReader.Started start(long offset, byte[] buf) {
                        return reader.start(offset, buf, (int) Math.min(Layout.BLOCK_SIZE, size - offset));
                    }

                    @Override
                    public void finish(long offset, byte[] buf, SnapshotReader.Started read) {
                        read.await();
                        int len = (int) Math.min(Layout.BLOCK_SIZE, size - offset);
                        if (Checksums.isZero(buf, len)) {
                            mapping.remove(offset); // a hole: restore leaves it unwritten
                            return;
                        }
                        String checksum = Checksums.blockChecksum(buf, 0, len);
                        mapping.put(offset, checksum);
                        // A block already in the base backup, or claimed by another worker, or
                        // already stored (by another backup, or by one that was killed), is not sent.
                        if (known.contains(checksum) || !claimed.add(checksum) || store.hasBlock(checksum)) {
                            return;
                        }
                        byte[] stored = compression.compress(buf, len);
                        store.putBlock(checksum, stored);
                        uploadedBlocks.incrementAndGet();
                        uploadedBytes.addAndGet(stored.length);
                    }
                });
        cancel.check("backup " + backupName + " of volume " + volume);
        // Blocks must be durable before a cfg references them.
        driver.sync();
        List<BlockMapping> blocks = mapping.entrySet().stream().map(e -> new BlockMapping(e.getKey(), e.getValue()))
                .toList();
        BackupConfig cfg = new BackupConfig(backupName, volume, snapshot.name(), snapshot.created(), Times.now(),
                (long) blocks.size() * Layout.BLOCK_SIZE, request.labels(), null, plan.base() != null, size,
                vol.createdTime(), compression.method(), uploadedBytes.get(), 0, null, blocks,
                new BackupConfig.SingleFile(""));
        store.saveBackup(cfg);
        store.saveVolume(vol.withLastBackup(backupName, snapshot.created(), size,
                vol.blockCount() + uploadedBlocks.get()));
        LOG.infof("volume %s: backup %s complete: %d blocks, %d new (%d bytes stored)", volume, backupName,
                blocks.size(), uploadedBlocks.get(), uploadedBytes.get());
        return new BackupResult(backupName, BackupUrl.format(driver.url(), volume, backupName), plan.base() != null,
                plan.blocks().length, uploadedBlocks.get(), uploadedBytes.get(), blocks.size());
    }
}
