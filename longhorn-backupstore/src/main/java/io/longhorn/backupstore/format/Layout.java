package io.longhorn.backupstore.format;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Paths inside a backup target, as Longhorn lays them out:
 * <pre>
 * backupstore/volumes/&lt;h[0:2]&gt;/&lt;h[2:4]&gt;/&lt;volume&gt;/volume.cfg
 *                                             backups/backup_&lt;name&gt;.cfg
 *                                             blocks/&lt;c[0:2]&gt;/&lt;c[2:4]&gt;/&lt;c&gt;.blk
 *                                             locks/lock-&lt;id&gt;.lck
 * </pre>
 * h is the hex SHA-512 of the volume name, c the block checksum. Paths are relative to the
 * target's root and use '/'.
 */
public final class Layout {
    /** Upstream's default (and our only) backup block size. */
    public static final int BLOCK_SIZE = 2 * 1024 * 1024;
    public static final String VOLUMES_ROOT = "backupstore/volumes";
    public static final String VOLUME_CFG = "volume.cfg";
    public static final String BACKUPS = "backups";
    public static final String BLOCKS = "blocks";
    public static final String LOCKS = "locks";
    private static final String BACKUP_PREFIX = "backup_";
    private static final String CFG_SUFFIX = ".cfg";
    public static final String BLOCK_SUFFIX = ".blk";

    private Layout() {
    }

    /** The directory of one backup volume. */
    public static String volumeDir(String volume) {
        String h = sha512Hex(volume.getBytes(StandardCharsets.UTF_8));
        return VOLUMES_ROOT + "/" + h.substring(0, 2) + "/" + h.substring(2, 4) + "/" + volume;
    }

    public static String volumeCfg(String volume) {
        return volumeDir(volume) + "/" + VOLUME_CFG;
    }

    public static String backupsDir(String volume) {
        return volumeDir(volume) + "/" + BACKUPS;
    }

    public static String backupCfg(String volume, String backup) {
        return backupsDir(volume) + "/" + backupCfgFileName(backup);
    }

    public static String backupCfgFileName(String backup) {
        return BACKUP_PREFIX + backup + CFG_SUFFIX;
    }

    /** The backup name in a file name {@code backup_<name>.cfg}, if it is one. */
    public static Optional<String> backupNameOf(String fileName) {
        if (fileName.startsWith(BACKUP_PREFIX) && fileName.endsWith(CFG_SUFFIX)
                && fileName.length() > BACKUP_PREFIX.length() + CFG_SUFFIX.length()) {
            return Optional.of(fileName.substring(BACKUP_PREFIX.length(), fileName.length() - CFG_SUFFIX.length()));
        }
        return Optional.empty();
    }

    public static String blocksDir(String volume) {
        return volumeDir(volume) + "/" + BLOCKS;
    }

    public static String blockPath(String volume, String checksum) {
        return blocksDir(volume) + "/" + checksum.substring(0, 2) + "/" + checksum.substring(2, 4) + "/"
                + checksum + BLOCK_SUFFIX;
    }

    /** The checksum in a block file name {@code <c>.blk}, if it is one. */
    public static Optional<String> checksumOf(String fileName) {
        String name = fileName.substring(fileName.lastIndexOf('/') + 1);
        if (name.endsWith(BLOCK_SUFFIX) && name.length() == Checksums.HEX_LENGTH + BLOCK_SUFFIX.length()) {
            return Optional.of(name.substring(0, Checksums.HEX_LENGTH));
        }
        return Optional.empty();
    }

    public static String locksDir(String volume) {
        return volumeDir(volume) + "/" + LOCKS;
    }

    public static String lockPath(String volume, String id) {
        return locksDir(volume) + "/lock-" + id + ".lck";
    }

    static String sha512Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is not available", e);
        }
    }
}
