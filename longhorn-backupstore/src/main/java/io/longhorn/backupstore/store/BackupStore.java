package io.longhorn.backupstore.store;

import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.CorruptDataException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.format.BlockMapping;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.format.VolumeConfig;
import io.longhorn.backupstore.lock.BackupLock;
import io.longhorn.backupstore.lock.LockType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/** Lists, inspects and deletes what a target holds. */
public final class BackupStore {
    private static final Logger LOG = Logger.getLogger(BackupStore.class);
    private static final Comparator<BackupConfig> BY_CREATED = Comparator
            .comparing((BackupConfig b) -> b.createdTime() == null ? "" : b.createdTime())
            .thenComparing(BackupConfig::name);

    private final BackupStoreDriver driver;

    public BackupStore(BackupStoreDriver driver) {
        this.driver = driver;
    }

    /** Names of every backup volume in the target. */
    public List<String> volumeNames() {
        List<String> out = new ArrayList<>();
        for (String l1 : driver.list(Layout.VOLUMES_ROOT)) {
            for (String l2 : driver.list(Layout.VOLUMES_ROOT + "/" + l1)) {
                out.addAll(driver.list(Layout.VOLUMES_ROOT + "/" + l1 + "/" + l2));
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * The backup volumes with their backups; {@code only} restricts to one volume. Volumes whose
     * {@code volume.cfg} is missing or unreadable are skipped with a warning.
     */
    public List<BackupVolume> list(Optional<String> only) {
        List<BackupVolume> out = new ArrayList<>();
        for (String name : only.map(List::of).orElseGet(this::volumeNames)) {
            try {
                volume(name).ifPresent(out::add);
            } catch (BackupStoreException e) {
                LOG.warnf("volume %s: skipped in listing of %s: %s", name, driver.url(), e.getMessage());
            }
        }
        return out;
    }

    /** One backup volume with its complete backups, oldest first. */
    public Optional<BackupVolume> volume(String name) {
        VolumeStore vs = new VolumeStore(driver, name);
        Optional<VolumeConfig> cfg = vs.volumeConfig();
        if (cfg.isEmpty()) {
            return Optional.empty();
        }
        List<BackupConfig> backups = new ArrayList<>();
        for (String b : vs.backupNames()) {
            try {
                vs.findBackup(b).ifPresent(backups::add);
            } catch (CorruptDataException e) {
                LOG.warnf("volume %s: backup %s skipped: %s", name, b, e.getMessage());
            }
        }
        backups.sort(BY_CREATED);
        return Optional.of(new BackupVolume(cfg.get(), backups));
    }

    /**
     * @throws NotFoundException naming backup and volume when it does not exist
     */
    public BackupConfig inspect(String volume, String backup) {
        return new VolumeStore(driver, volume).backup(backup);
    }

    /**
     * Deletes a backup, then every block no remaining backup of the volume references. Takes the
     * deletion lock, so no backup of the volume runs meanwhile. The cfg goes first: if we die
     * during collection, the leftover blocks are unreferenced and collected next time.
     *
     * @throws NotFoundException when the backup does not exist (nothing is changed)
     * @throws CorruptDataException when another backup's cfg is unreadable: its blocks are unknown,
     *                              so nothing is deleted
     */
    public DeleteResult deleteBackup(String volume, String backup) {
        VolumeStore vs = new VolumeStore(driver, volume);
        vs.backup(backup);
        try (BackupLock lock = BackupLock.acquire(driver, volume, LockType.DELETION)) {
            List<BackupConfig> remaining = new ArrayList<>();
            for (String name : vs.backupNames()) {
                if (!name.equals(backup)) {
                    // an unreadable cfg throws here, before anything is deleted
                    remaining.add(vs.backup(name));
                }
            }
            vs.deleteBackupConfig(backup);
            Set<String> referenced = new HashSet<>();
            for (BackupConfig b : remaining) {
                for (BlockMapping m : b.blocksOrEmpty()) {
                    referenced.add(m.blockChecksum());
                }
            }
            Set<String> stored = vs.storedBlocks();
            List<String> garbage = stored.stream().filter(c -> !referenced.contains(c)).sorted().toList();
            vs.deleteBlocks(garbage);
            long left = stored.size() - garbage.size();
            vs.volumeConfig().ifPresent(cfg -> vs.saveVolume(afterDeletion(cfg, backup, remaining, left)));
            LOG.infof("volume %s: deleted backup %s and %d unreferenced blocks from %s (%d blocks left)", volume, backup,
                    garbage.size(), driver.url(), left);
            return new DeleteResult(garbage.size(), left);
        }
    }

    private static VolumeConfig afterDeletion(VolumeConfig cfg, String deleted, List<BackupConfig> remaining,
                                              long blocksLeft) {
        if (!deleted.equals(cfg.lastBackupName())) {
            return cfg.withBlockCount(blocksLeft);
        }
        // The newest remaining backup becomes the base of the next incremental backup (which checks
        // that its snapshot is still in the replica's chain).
        Optional<BackupConfig> newest = remaining.stream().max(BY_CREATED);
        return cfg.withLastBackup(newest.map(BackupConfig::name).orElse(""),
                newest.map(BackupConfig::snapshotCreatedAt).orElse(""), cfg.size(), blocksLeft);
    }

    /**
     * Deletes a backup volume: every backup, block and cfg of it.
     *
     * @throws NotFoundException when the target has nothing of the volume
     */
    public DeleteResult deleteVolume(String volume) {
        VolumeStore vs = new VolumeStore(driver, volume);
        if (!vs.exists()) {
            throw new NotFoundException("backup volume " + volume + " not found in " + driver.url());
        }
        try (BackupLock lock = BackupLock.acquire(driver, volume, LockType.DELETION)) {
            long blocks = vs.storedBlocks().size();
            driver.deleteTree(Layout.volumeDir(volume));
            LOG.infof("volume %s: deleted the backup volume from %s (%d blocks)", volume, driver.url(), blocks);
            return new DeleteResult(blocks, 0);
        }
    }
}
