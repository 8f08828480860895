package io.longhorn.backupstore.driver;

import io.longhorn.backupstore.error.NotFoundException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * A backup target seen as a tree of files. Paths are relative to the target's root and use '/'.
 * Implementations are safe for use by several threads at once.
 */
public interface BackupStoreDriver extends AutoCloseable {

    /** The target's URL, for messages and backup URLs. */
    String url();

    boolean exists(String path);

    /**
     * The whole content of a file.
     *
     * @throws NotFoundException when it does not exist
     */
    byte[] read(String path);

    /**
     * Writes a whole file atomically: a reader sees the old content or the new one, never a part,
     * even if this process dies during the write.
     */
    void write(String path, byte[] data);

    /** Deletes a file; nothing happens when it does not exist. */
    void delete(String path);

    default void deleteAll(Collection<String> paths) {
        for (String p : paths) {
            delete(p);
        }
    }

    /** Deletes every file under {@code dir}, and the directory. */
    void deleteTree(String dir);

    /** Names of the files and directories directly in {@code dir}; empty when it does not exist. */
    List<String> list(String dir);

    /** Paths of all files under {@code dir}, at any depth; empty when it does not exist. */
    List<String> listFiles(String dir);

    /**
     * When a file was last written, by the target's clock (lock expiry compares such times only
     * with each other, so the clocks of the machines using the target do not matter).
     *
     * @throws NotFoundException when it does not exist
     */
    Instant lastModified(String path);

    /** Makes every file written so far durable; targets that are durable on write do nothing. */
    default void sync() {
    }

    @Override
    void close();
}
