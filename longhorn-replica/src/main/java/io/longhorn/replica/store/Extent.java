package io.longhorn.replica.store;

/**
 * A byte range of a layer file that holds data.
 *
 * @param offset start, a multiple of the block size
 * @param length bytes, a multiple of the block size
 */
public record Extent(long offset, long length) {
    public long end() {
        return offset + length;
    }
}
