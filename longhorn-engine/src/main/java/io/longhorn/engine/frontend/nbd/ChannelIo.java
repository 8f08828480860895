package io.longhorn.engine.frontend.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Blocking-style reads and writes with a deadline on a non-blocking socket channel, for the
 * handshake. The channel stays non-blocking so that the transmission phase can use the same
 * selector.
 */
final class ChannelIo implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private long deadlineNanos = Long.MAX_VALUE;

    ChannelIo(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, 0);
    }

    SocketChannel channel() {
        return channel;
    }

    Selector selector() {
        return selector;
    }

    SelectionKey key() {
        return key;
    }

    /** Every following read and write fails with a timeout after {@code nanos} from now. */
    void deadlineIn(long nanos) {
        deadlineNanos = System.nanoTime() + nanos;
    }

    void noDeadline() {
        deadlineNanos = Long.MAX_VALUE;
    }

    /** Fills {@code dst} completely; EOF before that is an {@link EOFException}. */
    void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst);
            if (n < 0) {
                throw new EOFException("connection closed by the client");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ);
            }
        }
    }

    void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            if (channel.write(src) == 0) {
                await(SelectionKey.OP_WRITE);
            }
        }
    }

    private void await(int op) throws IOException {
        long wait = 0; // no deadline: select without a timeout
        if (deadlineNanos != Long.MAX_VALUE) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("timed out waiting for the client");
            }
            // Round up: select(0) would mean "wait forever".
            wait = Math.max(1, left / 1_000_000);
        }
        key.interestOps(op);
        selector.select(wait);
        selector.selectedKeys().clear();
        key.interestOps(0);
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
