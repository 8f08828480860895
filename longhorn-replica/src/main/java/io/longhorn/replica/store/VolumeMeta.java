package io.longhorn.replica.store;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code volume.meta}: the replica's root record, in Longhorn's field names. {@code Generation} is
 * ours: the engine's generation last recorded on this replica (see the engine README).
 */
record VolumeMeta(
        @JsonProperty("Size") long size,
        @JsonProperty("Head") String head,
        @JsonProperty("Dirty") boolean dirty,
        @JsonProperty("Rebuilding") boolean rebuilding,
        @JsonProperty("Error") String error,
        @JsonProperty("Parent") String parent,
        @JsonProperty("SectorSize") long sectorSize,
        @JsonProperty("BackingFilePath") String backingFilePath,
        @JsonProperty("Generation") long generation) {

    static final String FILE = "volume.meta";

    VolumeMeta withHead(String newHead, String newParent) {
        return new VolumeMeta(size, newHead, dirty, rebuilding, error, newParent, sectorSize, backingFilePath, generation);
    }

    VolumeMeta withSize(long newSize) {
        return new VolumeMeta(newSize, head, dirty, rebuilding, error, parent, sectorSize, backingFilePath, generation);
    }

    VolumeMeta withDirty(boolean d) {
        return new VolumeMeta(size, head, d, rebuilding, error, parent, sectorSize, backingFilePath, generation);
    }

    VolumeMeta withRebuilding(boolean r) {
        return new VolumeMeta(size, head, dirty, r, error, parent, sectorSize, backingFilePath, generation);
    }

    VolumeMeta withGeneration(long g) {
        return new VolumeMeta(size, head, dirty, rebuilding, error, parent, sectorSize, backingFilePath, g);
    }

    VolumeMeta withError(String e) {
        return new VolumeMeta(size, head, dirty, rebuilding, e, parent, sectorSize, backingFilePath, generation);
    }

    VolumeMeta withParent(String p) {
        return new VolumeMeta(size, head, dirty, rebuilding, error, p, sectorSize, backingFilePath, generation);
    }
}
