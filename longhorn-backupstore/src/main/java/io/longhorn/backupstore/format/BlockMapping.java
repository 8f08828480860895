package io.longhorn.backupstore.format;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One block of a backup: its offset in the volume and the checksum naming its block file.
 *
 * @param offset        byte offset in the volume, a multiple of the block size
 * @param blockChecksum checksum of the raw block (see {@link Checksums})
 */
public record BlockMapping(
        @JsonProperty("Offset") long offset,
        @JsonProperty("BlockChecksum") String blockChecksum) {
}
