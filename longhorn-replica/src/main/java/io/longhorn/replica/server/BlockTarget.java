package io.longhorn.replica.server;

import io.longhorn.replica.store.Replica;

import java.nio.ByteBuffer;

/**
 * What the data server serves: block I/O on one volume. Implementations are thread-safe and throw
 * the store's typed exceptions ({@link io.longhorn.replica.store.InvalidArgumentException} for a
 * bad range, {@link io.longhorn.replica.store.ReplicaIOException} for a failed disk).
 */
public interface BlockTarget {
    /** Fills dst's remaining bytes from offset. */
    void read(long offset, ByteBuffer dst);

    /**
     * Fills dst's remaining bytes from offset only if that cannot block (the data is in memory);
     * false, with dst's position unchanged, when it could, or when {@link #read} would refuse.
     */
    default boolean readCached(long offset, ByteBuffer dst) {
        return false;
    }

    /**
     * Fills dst's remaining bytes from offset of snapshot {@code snapshot}: what the volume held
     * there when it was taken, whatever was written since.
     */
    default void readSnapshot(String snapshot, long offset, ByteBuffer dst) {
        throw new io.longhorn.replica.store.InvalidArgumentException(describe() + " keeps no snapshots; snapshot "
                + snapshot + " cannot be read");
    }

    /** Writes src's remaining bytes at offset. */
    void write(long offset, ByteBuffer src);

    void writeZeroes(long offset, long length);

    void unmap(long offset, long length);

    /** Makes every completed write durable. */
    void flush();

    /** Names the volume or replica in log lines. */
    String describe();

    /** The engine generation recorded on the store (0 for a store that keeps none). */
    default long generation() {
        return 0;
    }

    /** Records an engine generation durably; never lowers it. */
    default void setGeneration(long generation) {
        throw new UnsupportedOperationException(describe() + " keeps no generation");
    }

    /** Serves a replica's store. */
    static BlockTarget of(Replica replica) {
        return new BlockTarget() {
            @Override
            public void read(long offset, ByteBuffer dst) {
                replica.read(offset, dst);
            }

            @Override
            public void readSnapshot(String snapshot, long offset, ByteBuffer dst) {
                replica.readSnapshot(snapshot, offset, dst);
            }

            @Override
            public boolean readCached(long offset, ByteBuffer dst) {
                return replica.readCached(offset, dst);
            }

            @Override
            public void write(long offset, ByteBuffer src) {
                replica.write(offset, src);
            }

            @Override
            public void writeZeroes(long offset, long length) {
                replica.writeZeroes(offset, length);
            }

            @Override
            public void unmap(long offset, long length) {
                replica.unmap(offset, length);
            }

            @Override
            public void flush() {
                replica.flush();
            }

            @Override
            public String describe() {
                return "replica " + replica.directory();
            }

            @Override
            public long generation() {
                return replica.generation();
            }

            @Override
            public void setGeneration(long generation) {
                replica.setGeneration(generation);
            }
        };
    }
}
