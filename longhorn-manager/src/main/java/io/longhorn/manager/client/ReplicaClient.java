package io.longhorn.manager.client;

import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.SnapshotChecksum;
import java.util.List;

/**
 * What the manager asks a replica directly: snapshot data integrity, and how many connections and
 * calls it refused. Every call throws
 * {@link ServiceCallException} naming the replica on failure.
 */
public interface ReplicaClient {
    /** Brings the snapshot checksums up to date ({@code enabled} or {@code fast-check}) and returns them. */
    List<SnapshotChecksum> snapshotChecksums(String mode);

    /** SHA-256 of each {@code chunk}-byte range of a layer file over its data extents (holes as zeros). */
    List<RangeChecksum> rangeChecksums(String file, long fileSize, int chunk);

    /** Data connections and control calls refused since the replica started for not proving the volume's secret. */
    long authRefusals();
}
