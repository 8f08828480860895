package io.longhorn.backupstore.store;

import io.longhorn.api.types.Names;
import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.format.BackupNames;
import io.longhorn.backupstore.format.Json;
import io.longhorn.backupstore.format.Layout;
import io.longhorn.backupstore.format.VolumeConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The files of one backup volume in a target: its cfg files and its blocks. */
public final class VolumeStore {
    private final BackupStoreDriver driver;
    private final String volume;

    /**
     * @throws InvalidInputException when {@code volume} is not a valid volume name (it becomes a path)
     */
    public VolumeStore(BackupStoreDriver driver, String volume) {
        try {
            Names.requireVolumeName(volume);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage());
        }
        this.driver = driver;
        this.volume = volume;
    }

    public String volume() {
        return volume;
    }

    public BackupStoreDriver driver() {
        return driver;
    }

    /** Whether the target has anything of this volume. */
    public boolean exists() {
        return driver.exists(Layout.volumeCfg(volume)) || !driver.list(Layout.volumeDir(volume)).isEmpty();
    }

    public Optional<VolumeConfig> volumeConfig() {
        String path = Layout.volumeCfg(volume);
        try {
            return Optional.of(Json.read(driver.read(path), VolumeConfig.class, path));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** Writes {@code volume.cfg} durably. */
    public void saveVolume(VolumeConfig config) {
        driver.write(Layout.volumeCfg(volume), Json.write(config));
        driver.sync();
    }

    /**
     * @throws NotFoundException naming backup, volume and target when there is no such backup
     */
    public BackupConfig backup(String name) {
        return findBackup(name).orElseThrow(() -> new NotFoundException("backup " + name + " of volume " + volume
                + " not found in " + driver.url()));
    }

    public Optional<BackupConfig> findBackup(String name) {
        BackupNames.require(name);
        String path = Layout.backupCfg(volume, name);
        try {
            return Optional.of(Json.read(driver.read(path), BackupConfig.class, path));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** Writes a backup's cfg durably; the backup exists from then on. */
    public void saveBackup(BackupConfig config) {
        driver.write(Layout.backupCfg(volume, config.name()), Json.write(config));
        driver.sync();
    }

    public void deleteBackupConfig(String name) {
        driver.delete(Layout.backupCfg(volume, name));
    }

    /** Names of the complete backups (those with a cfg). */
    public List<String> backupNames() {
        List<String> out = new ArrayList<>();
        for (String f : driver.list(Layout.backupsDir(volume))) {
            Layout.backupNameOf(f).ifPresent(out::add);
        }
        return out;
    }

    public boolean hasBlock(String checksum) {
        return driver.exists(Layout.blockPath(volume, checksum));
    }

    public void putBlock(String checksum, byte[] stored) {
        driver.write(Layout.blockPath(volume, checksum), stored);
    }

    /**
     * @throws NotFoundException when the block file does not exist
     */
    public byte[] readBlock(String checksum) {
        return driver.read(Layout.blockPath(volume, checksum));
    }

    /** Checksums of all block files stored for this volume. */
    public Set<String> storedBlocks() {
        Set<String> out = new HashSet<>();
        for (String path : driver.listFiles(Layout.blocksDir(volume))) {
            Layout.checksumOf(path).ifPresent(out::add);
        }
        return out;
    }

    public void deleteBlocks(Collection<String> checksums) {
        driver.deleteAll(checksums.stream().map(c -> Layout.blockPath(volume, c)).toList());
    }
}
