package io.longhorn.backupstore.source;

/**
 * A byte range of a layer file that holds data (not a hole).
 *
 * @param offset first byte
 * @param length number of bytes, positive
 */
public record Extent(long offset, long length) {

    public long end() {
        return offset + length;
    }
}
