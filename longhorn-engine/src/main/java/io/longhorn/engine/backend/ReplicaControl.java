package io.longhorn.engine.backend;

import io.longhorn.api.replica.DataChunk;
import io.longhorn.api.replica.Extent;
import io.longhorn.api.replica.ExtentList;
import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.SnapshotInfo;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The control API of one replica (replica.proto), blocking, each call bounded by a deadline.
 * Failures are {@link ReplicaControlException}s naming the replica and the operation.
 */
public interface ReplicaControl extends AutoCloseable {

    /** The replica's control address as the engine knows it, e.g. {@code tcp://10.0.0.3:9502}. */
    String address();

    ReplicaInfo info();

    ReplicaInfo snapshotCreate(String name, Map<String, String> labels, boolean userCreated, String created);

    ReplicaInfo snapshotRemove(String name);

    ReplicaInfo snapshotRevert(String name);

    ReplicaInfo snapshotPurge();

    ReplicaInfo expand(long size);

    /** Records the engine's generation on the replica; it is durable when this returns. */
    ReplicaInfo setGeneration(long generation);

    ExtentList listExtents(String file);

    /** SHA-256 of each {@code chunkSize} piece of each extent (holes read as zeros). */
    List<RangeChecksum> checksumRanges(String file, List<Extent> extents, int chunkSize);

    /** Streams the data of {@code extents} of {@code file} to {@code sink}, chunk by chunk. */
    void readExtents(String file, List<Extent> extents, Consumer<DataChunk> sink);

    /** Opens a stream of chunks to write into this replica's layer files (rebuild). */
    ExtentWriter writeExtents();

    void retainExtents(String file, List<Extent> extents);

    ReplicaInfo rebuildPrepare(List<SnapshotInfo> snapshots);

    ReplicaInfo rebuildFinish();

    @Override
    void close();

    /** A client stream of chunks. Not thread safe: one writer. */
    interface ExtentWriter {
        /** Sends a chunk; blocks while the replica is not ready for more (flow control). */
        void write(DataChunk chunk);

        /** Ends the stream and waits for the replica's answer: the bytes it wrote. */
        long finish();

        /** Abandons the stream. */
        void cancel(String reason);
    }
}
