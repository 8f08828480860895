package io.longhorn.api.wire;

import java.util.Arrays;

/**
 * Holds back the writes of the frames one thread sends until it finished a batch of them, so that
 * each connection is written (and its write lock tried) once per batch rather than once per frame.
 * For a thread that turns one read of its own input into many requests, as the engine's NBD
 * connection thread does: the frames it sends while handling what one read brought leave together
 * when it closes the batch, before it waits for more input.
 *
 * <pre>{@code
 * try (SendBatch b = SendBatch.open()) {
 *     ... connection.send(...) on any number of connections ...
 * } // every connection sent to is written here
 * }</pre>
 *
 * <p>Only the opening thread's sends are held back; a connection's I/O thread and other threads
 * keep writing at once (and take the held frames along, since all wait in the same queue). Batches
 * nest; the outermost close writes. The thread must not wait, inside a batch, for the reply to a
 * frame it sent in it: that frame has not left yet.
 */
public final class SendBatch implements AutoCloseable {

    private static final ThreadLocal<SendBatch> CURRENT = ThreadLocal.withInitial(SendBatch::new);

    private final Thread owner = Thread.currentThread();
    private int depth;
    private FrameConnection[] held = new FrameConnection[4];
    private int heldCount;

    private SendBatch() {
    }

    /** Opens a batch on the calling thread (or nests in the one open). Close it in a finally. */
    public static SendBatch open() {
        SendBatch b = CURRENT.get();
        b.depth++;
        return b;
    }

    /**
     * Called by {@link FrameConnection#send} off its I/O thread: whether the calling thread has a
     * batch open, in which case the connection is written when it closes.
     */
    static boolean hold(FrameConnection c) {
        SendBatch b = CURRENT.get();
        if (b.depth == 0) {
            return false;
        }
        for (int i = 0; i < b.heldCount; i++) {
            if (b.held[i] == c) {
                return true;
            }
        }
        if (b.heldCount == b.held.length) {
            b.held = Arrays.copyOf(b.held, b.heldCount * 2);
        }
        b.held[b.heldCount++] = c;
        return true;
    }

    /** Closes the batch; the outermost close writes every connection sent to in it. */
    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a send batch must be closed by the thread that opened it");
        }
        if (depth == 0) {
            throw new IllegalStateException("send batch closed more often than opened");
        }
        if (--depth > 0) {
            return;
        }
        for (int i = 0; i < heldCount; i++) {
            FrameConnection c = held[i];
            held[i] = null;
            c.flush();
        }
        heldCount = 0;
    }
}
