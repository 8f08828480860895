package io.longhorn.backupstore.source;

/**
 * Reads what a snapshot held at a range of the volume: for every byte the newest layer of its
 * chain with data there, zeros where no layer has any. Safe for use by several threads at once.
 */
public interface SnapshotReader {

    /** Fills {@code buf[0, length)} with the snapshot's bytes at {@code [offset, offset + length)}. */
    void read(long offset, byte[] buf, int length);

    /**
     * Starts filling {@code buf[0, length)} as {@link #read} does; the bytes are there once the
     * returned read's {@link Started#await()} returned. Until then the caller leaves {@code buf}
     * alone. A reader that can fetch in the background returns at once, so that the caller works
     * on another block meanwhile; this default reads before it returns.
     */
    default Started start(long offset, byte[] buf, int length) {
        read(offset, buf, length);
        return Started.DONE;
    }

    /** A read under way. */
    @FunctionalInterface
    interface Started {
        Started DONE = () -> {
        };

        /**
         * Waits until the bytes are in the buffer.
         *
         * @throws io.longhorn.backupstore.error.BackupStoreException when the read failed
         */
        void await();
    }
}
