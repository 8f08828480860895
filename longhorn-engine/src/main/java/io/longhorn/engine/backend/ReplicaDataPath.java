package io.longhorn.engine.backend;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Block I/O on one replica. Every call returns at once; many requests may be in flight. Futures
 * complete on the connection's I/O thread, so what depends on them must not block. Offsets and
 * lengths are multiples of 4096. A failed request completes exceptionally; the caller decides
 * whether the replica is still usable.
 */
public interface ReplicaDataPath extends AutoCloseable {

    /** Where the data path is connected: {@code tcp://host:port} or {@code unix:///path}. */
    String address();

    /** Fills {@code dst} from its position to its limit; neither is changed. */
    CompletableFuture<Void> read(long offset, ByteBuffer dst);

    /** Writes {@code src} from its position to its limit; neither is changed. */
    CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua);

    CompletableFuture<Void> writeZeroes(long offset, long length);

    CompletableFuture<Void> unmap(long offset, long length);

    /** Completes when every write this replica acknowledged before the call is durable. */
    CompletableFuture<Void> flush();

    /** False once the connection is closed or lost. */
    boolean isOpen();

    /** Closes the connection; pending requests fail. */
    @Override
    void close();
}
