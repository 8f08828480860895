package io.longhorn.engine.frontend.nbd;

import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

/**
 * One NBD request from the moment its header is parsed until its reply is on the socket. It is its
 * own completion callback (one object per request, no lambda), and its own link in the
 * connection's stack of replies waiting to be written.
 */
final class Request implements BiConsumer<Void, Throwable> {

    final NbdConnection connection;
    final int type;
    final int flags;
    final long handle;
    final long offset;
    final int length;
    final long startNanos;
    /** Write payload or read data, from the pool; null for other commands. */
    ByteBuffer buffer;
    /** NBD errno of the reply; 0 for success. */
    int error;
    /** Human-readable reason, sent in structured error chunks. */
    String message;
    /** Next reply in the connection's reply stack. */
    Request next;
    /** Payload bytes counted against the connection's in-flight limit. */
    int inflightBytes;

    Request(NbdConnection connection, int type, int flags, long handle, long offset, int length) {
        this.connection = connection;
        this.type = type;
        this.flags = flags;
        this.handle = handle;
        this.offset = offset;
        this.length = length;
        this.startNanos = System.nanoTime();
    }

    void fail(int errno, String reason) {
        this.error = errno;
        this.message = reason;
    }

    /** Bytes of payload this request moves, for the in-flight limit. */
    int payloadBytes() {
        return type == NbdProtocol.CMD_READ || type == NbdProtocol.CMD_WRITE ? length : 0;
    }

    @Override
    public void accept(Void ignored, Throwable failure) {
        connection.completed(this, failure);
    }
}
