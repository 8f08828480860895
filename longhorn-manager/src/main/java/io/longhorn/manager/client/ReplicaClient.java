package io.longhorn.manager.client;

import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.SnapshotChecksum;
import java.util.List;
import java.util.Map;

/**
 * What the manager asks a replica directly: snapshot data integrity, snapshots of a volume that runs
 * no engine (the source of a copy), and how many connections and calls it refused. Every call throws
 * {@link ServiceCallException} naming the replica on failure.
 */
public interface ReplicaClient {
    /** Brings the snapshot checksums up to date ({@code enabled} or {@code fast-check}) and returns them. */
    List<SnapshotChecksum> snapshotChecksums(String mode);

    /** SHA-256 of each {@code chunk}-byte range of a layer file over its data extents (holes as zeros). */
    List<RangeChecksum> rangeChecksums(String file, long fileSize, int chunk);

    /**
     * Takes a snapshot on this replica alone (the engine does it on all of them at once while it
     * serves); {@code created} (RFC 3339) so that all replicas of a volume agree.
     */
    void snapshotCreate(String name, Map<String, String> labels, String created);

    /** Marks a snapshot of this replica removed, then coalesces the removed snapshots (purge). */
    void snapshotRemoveAndPurge(String name);

    /** The names of this replica's snapshots that are not marked removed (not the head). */
    List<String> snapshots();

    /** Data connections and control calls refused since the replica started for not proving the volume's secret. */
    long authRefusals();
}
