package io.longhorn.backupstore.source;

import java.util.List;
import java.util.Optional;

/**
 * Read access to the layer files of a replica. A snapshot's content is the overlay of its chain
 * ({@link SourceInfo#chain}): for each byte, the newest layer with data there; zeros where no layer
 * has data. Implementations are safe for use by several threads at once.
 */
public interface SnapshotSource extends AutoCloseable {

    SourceInfo info();

    /** The data extents of a layer file, sorted by offset, not overlapping. */
    List<Extent> extents(String file);

    /**
     * Copies the bytes of {@code extents} of {@code file} into {@code buf}, the byte at volume
     * offset {@code o} going to {@code buf[o - base]}. Every extent lies in
     * {@code [base, base + buf.length)}.
     */
    void read(String file, List<Extent> extents, long base, byte[] buf);

    /**
     * A reader of snapshot {@code snapshot} that the source serves whole, overlaying the chain
     * itself (a replica over its data protocol); empty when the caller overlays the layers with
     * {@link #read} (see {@code ChainReader}).
     */
    default Optional<SnapshotReader> snapshotReader(String snapshot) {
        return Optional.empty();
    }

    @Override
    void close();
}
