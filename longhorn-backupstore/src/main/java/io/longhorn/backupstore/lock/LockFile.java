package io.longhorn.backupstore.lock;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Content of {@code locks/lock-<id>.lck}. Its age is the file's modification time on the target.
 *
 * @param volume   backup volume
 * @param name     the lock's id (also in the file name)
 * @param type     {@link LockType#code()}
 * @param acquired false while the lock is still checking for conflicts
 */
public record LockFile(
        @JsonProperty("Volume") String volume,
        @JsonProperty("Name") String name,
        @JsonProperty("Type") int type,
        @JsonProperty("Acquired") boolean acquired) {
}
