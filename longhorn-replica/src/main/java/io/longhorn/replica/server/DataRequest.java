package io.longhorn.replica.server;

import io.longhorn.api.wire.Frame;
import io.longhorn.api.wire.FrameConnection;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.wire.SnapshotRead;
import io.longhorn.api.wire.MessageType;
import io.longhorn.api.wire.WireStatus;
import io.longhorn.replica.store.FencedException;
import io.longhorn.replica.store.InvalidArgumentException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jboss.logging.Logger;

/**
 * One request, executed against the store (by a worker, or by the connection's I/O thread for
 * small buffered writes) and answered on its connection.
 */
final class DataRequest implements Runnable {
    private static final Logger LOG = Logger.getLogger(DataRequest.class);
    /** Error messages are cut to this many bytes. */
    private static final int MAX_MESSAGE = 4096;

    private final DataServer server;
    private final DataConnection from;
    private final FrameConnection connection;
    private final Frame frame;
    private final ByteBuffer payload;
    /** Whether the reply is written at once, or left queued for the caller to flush with others. */
    private boolean flushReply = true;
    /** Runs once the reply is in the socket, or when it never will be. */
    private final Runnable answered;

    DataRequest(DataServer server, DataConnection from, Frame frame, ByteBuffer payload, Runnable answered) {
        this.server = server;
        this.from = from;
        this.connection = from.connection();
        this.frame = frame;
        this.payload = payload;
        this.answered = answered;
    }

    /** Whether this request may take long (an fsync, or a big range): it then runs on its own. */
    boolean slow() {
        return switch (frame.type()) {
            case FLUSH, WRITE_ZEROES, UNMAP -> true;
            case WRITE -> frame.fua() || frame.byteLength() > DataConnection.BATCHED_MAX;
            case READ -> frame.byteLength() > DataConnection.BATCHED_MAX;
            case READ_SNAPSHOT -> true;
            case PING, HELLO, AUTH -> false;
        };
    }

    boolean isRead() {
        return frame.type() == MessageType.READ;
    }

    /** Runs the request, leaving the reply queued on the connection for the caller to flush. */
    void runQueued() {
        flushReply = false;
        run();
    }

    /**
     * Serves a read on the calling thread if that cannot block (see {@link BlockTarget#readCached}),
     * leaving the reply queued for the caller to flush; false, with nothing done, when it could.
     */
    boolean tryReadCached() {
        if (frame.type() != MessageType.READ || frame.byteLength() > DataConnection.BATCHED_MAX) {
            return false;
        }
        BufferPool buffers = server.buffers();
        ByteBuffer data = buffers.acquire(frame.length());
        boolean served;
        try {
            served = server.target().readCached(frame.offset(), data);
        } catch (RuntimeException e) {
            served = false; // the ordinary read reports it
        }
        if (!served) {
            buffers.release(data);
            return false;
        }
        data.flip();
        flushReply = false;
        reply(Frame.ok(frame, frame.length()), data, () -> buffers.release(data));
        return true;
    }

    @Override
    public void run() {
        BlockTarget target = server.target();
        BufferPool buffers = server.buffers();
        boolean writing = false;
        try {
            if (frame.type() == MessageType.WRITE || frame.type() == MessageType.WRITE_ZEROES
                    || frame.type() == MessageType.UNMAP) {
                Hello h = from.hello();
                if (h != null && h.readOnly()) {
                    throw new FencedException(frame.type() + " refused: the connection of " + h + " is read-only");
                }
                // The fence: a connection of an engine that a newer one replaced changes nothing more.
                if (!from.enterWrite()) {
                    throw new FencedException("the connection of " + from.hello() + " was fenced off: a newer engine"
                            + " recorded its generation on " + target.describe());
                }
                writing = true;
            }
            switch (frame.type()) {
                case READ -> {
                    if (frame.byteLength() > Frame.MAX_PAYLOAD) {
                        // Well-formed (no payload follows), but one reply cannot carry it.
                        throw new InvalidArgumentException("read of " + frame.byteLength() + " bytes at " + frame.offset()
                                + " exceeds the limit of " + Frame.MAX_PAYLOAD + " bytes per request");
                    }
                    ByteBuffer data = buffers.acquire(frame.length());
                    try {
                        target.read(frame.offset(), data);
                    } catch (RuntimeException | Error e) {
                        buffers.release(data);
                        throw e;
                    }
                    data.flip();
                    reply(Frame.ok(frame, frame.length()), data, () -> buffers.release(data));
                    return;
                }
                case READ_SNAPSHOT -> {
                    readSnapshot(target, buffers);
                    return;
                }
                case WRITE -> {
                    target.write(frame.offset(), payload);
                    if (frame.fua()) {
                        // FUA: the write must be on stable storage before it is acknowledged.
                        target.flush();
                    }
                }
                case WRITE_ZEROES -> {
                    target.writeZeroes(frame.offset(), frame.byteLength());
                    if (frame.fua()) {
                        target.flush();
                    }
                }
                case UNMAP -> target.unmap(frame.offset(), frame.byteLength());
                case FLUSH -> target.flush();
                case PING, HELLO, AUTH -> {
                }
            }
            reply(Frame.ok(frame, 0), null, null);
        } catch (Throwable t) {
            int status = WireErrors.status(t);
            String message = WireErrors.message(t);
            if (status == WireStatus.EIO) {
                LOG.errorf(t, "%s: %s of %d bytes at %d failed: %s", target.describe(), frame.type(),
                        frame.byteLength(), frame.offset(), message);
            } else {
                LOG.debugf("%s: refused %s of %d bytes at %d: %s", target.describe(), frame.type(),
                        frame.byteLength(), frame.offset(), message);
            }
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(bytes.length, MAX_MESSAGE);
            reply(Frame.error(frame, status, n), ByteBuffer.wrap(bytes, 0, n), null);
        } finally {
            if (writing) {
                from.exitWrite();
            }
            if (payload != null && payload.isDirect()) {
                buffers.release(payload); // the pool's; a snapshot read's small heap payload is not
            }
        }
    }

    /** A backup's read of a snapshot; the payload names it and the length (see {@link SnapshotRead}). */
    private void readSnapshot(BlockTarget target, BufferPool buffers) {
        SnapshotRead r;
        try {
            r = SnapshotRead.decode(payload);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(e.getMessage());
        }
        ByteBuffer data = buffers.acquire(r.length());
        try {
            target.readSnapshot(r.snapshot(), frame.offset(), data);
        } catch (RuntimeException | Error e) {
            buffers.release(data);
            throw e;
        }
        data.flip();
        reply(Frame.ok(frame, r.length()), data, () -> buffers.release(data));
    }

    private void reply(Frame reply, ByteBuffer data, Runnable release) {
        Runnable written = release == null ? answered : () -> {
            release.run();
            answered.run();
        };
        boolean queued = flushReply ? connection.send(reply, data, written) : connection.enqueue(reply, data, written);
        if (!queued) {
            written.run(); // connection gone: nobody will write it, give the buffer back
        }
    }
}
