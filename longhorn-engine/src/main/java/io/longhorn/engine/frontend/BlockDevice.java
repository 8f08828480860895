package io.longhorn.engine.frontend;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The block device a frontend serves: the volume as the engine's controller exposes it.
 *
 * <p>All operations are asynchronous and may be called concurrently from many threads; the
 * returned future completes when the operation is done (for writes: acknowledged by every
 * replica in the write set) or completes exceptionally, preferably with a
 * {@link BlockDeviceException} whose errno the frontend hands to its client unchanged.
 *
 * <p>Buffers are borrowed: the implementation reads/fills them between the call and the completion
 * of the future and must not touch them afterwards. It consumes or fills exactly
 * {@code buffer.remaining()} bytes; whether it moves the buffer's position is unspecified, so
 * callers keep their own indices.
 *
 * <p>The controller's implementation accepts only 4096-aligned offsets and lengths; wrap it in
 * {@link AligningBlockDevice} to serve clients that send unaligned requests.
 */
public interface BlockDevice {

    /**
     * Size in bytes. It may grow (expand); the NBD export reports it at handshake time and checks
     * each request against it as it is then, so an open connection reaches the grown range.
     */
    long size();

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}. */
    CompletableFuture<Void> read(long offset, ByteBuffer dst);

    /**
     * Writes {@code src.remaining()} bytes at {@code offset}. With {@code fua} (force unit access)
     * the data is durable (fsynced on every replica) when the future completes.
     */
    CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua);

    /**
     * Writes {@code length} zero bytes at {@code offset}. Afterwards the range reads as zeroes
     * even where an older snapshot holds data (so a plain hole punch is not enough).
     */
    CompletableFuture<Void> writeZeroes(long offset, long length, boolean fua);

    /**
     * Discards {@code length} bytes at {@code offset}: a hint that the data is no longer needed
     * (replicas punch holes in their head layer). Afterwards the range's content is unspecified
     * (a hole in the head reads through to older snapshots); use {@link #writeZeroes} for zeroes.
     */
    CompletableFuture<Void> trim(long offset, long length);

    /**
     * Makes every write completed before this call durable on every replica in the write set (each
     * replica fsyncs before it replies), whichever connection or thread issued the write. The NBD
     * export advertises CAN_MULTI_CONN on the strength of this guarantee.
     */
    CompletableFuture<Void> flush();
}
