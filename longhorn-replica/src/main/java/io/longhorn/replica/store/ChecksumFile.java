package io.longhorn.replica.store;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code volume-snap-<name>.img.checksum}: the checksum of one snapshot file and the file's state
 * when it was computed, in Longhorn's field names (plus {@code modification_time} and {@code size},
 * which fast-check compares too).
 *
 * @param method            how the checksum was computed ({@value SnapshotChecksums#METHOD})
 * @param checksum          hex digest
 * @param changeTime        the file's ctime when it was hashed (ISO-8601, nanoseconds)
 * @param modificationTime  the file's mtime when it was hashed
 * @param size              the file's size when it was hashed
 * @param lastHashedAt      when the checksum was computed
 * @param silentlyCorrupted a re-hash found other content under an unchanged ctime, mtime and size
 */
public record ChecksumFile(
        @JsonProperty("method") String method,
        @JsonProperty("checksum") String checksum,
        @JsonProperty("change_time") String changeTime,
        @JsonProperty("modification_time") String modificationTime,
        @JsonProperty("size") long size,
        @JsonProperty("last_hashed_at") String lastHashedAt,
        @JsonProperty("silently_corrupted") boolean silentlyCorrupted) {

    static final String SUFFIX = ".checksum";

    /** Whether the file was hashed in exactly this state. */
    boolean matches(FileState s) {
        return changeTime.equals(s.changeTime()) && modificationTime.equals(s.modificationTime()) && size == s.size();
    }

    /** A snapshot file's ctime, mtime and size: what changes whenever anything writes it. */
    record FileState(String changeTime, String modificationTime, long size) {
    }
}
