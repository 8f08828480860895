package io.longhorn.engine.frontend.nbd;

import static io.longhorn.engine.frontend.nbd.NbdProtocol.*;

import io.longhorn.api.wire.SendBatch;
import io.longhorn.api.wire.UntouchedMemory;
import io.longhorn.api.wire.WireStatus;
import io.longhorn.engine.frontend.BlockDevice;
import io.longhorn.engine.frontend.BlockDeviceException;
import io.longhorn.engine.frontend.IoStats;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * One client connection: handshake, then the transmission phase.
 *
 * <p>Threads. The connection's own thread reads: it parses requests and hands them to the block
 * device without waiting for earlier ones (pipelining). Replies are written by whichever thread
 * completes a request: it pushes the reply on a lock-free stack and, if no other thread is writing
 * for this connection, becomes the writer and sends everything queued in one gathering write
 * (flat combining: no hand-off to a writer thread, no context switch, and replies that complete
 * together go out together). The socket is non-blocking, so a writer never blocks: if the socket
 * is full, the connection thread finishes the write when the selector says it is writable.
 * Replies therefore go out in completion order and never interleave.
 *
 * <p>Backpressure. When more than {@code maxInflightRequests} or {@code maxInflightBytes} are
 * between "parsed" and "reply written", the connection thread stops reading until replies drain.
 *
 * <p>Errors. A failed request gets its errno in the reply and the connection goes on. Only a
 * protocol violation (bad request magic), a socket error or the client's disconnect ends it.
 */
final class NbdConnection implements Runnable {

    private static final Logger LOG = Logger.getLogger(NbdConnection.class);
    private static final int MAX_BATCH = 64;
    private static final int MAX_MESSAGE = 200;
    private static final int MAX_SMALL_REPLY = CHUNK_HEADER_LENGTH + 6 + MAX_MESSAGE;
    private static final ByteBuffer ZERO_CHUNK = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private final NbdServer server;
    private final BlockDevice device;
    private final BufferPool pool;
    private final IoStats stats;
    private final NbdServerOptions options;
    private final ChannelIo io;
    private final String peer;
    private final String volume;
    private volatile Negotiated session;

    // Reader state, touched by the connection thread only.
    /** Received bytes not parsed yet, in read mode: [position, limit). */
    private final ByteBuffer in = UntouchedMemory.allocate(128 * 1024);
    /** A write whose payload is still arriving. */
    private Request payloadPending;
    /** Payload bytes of a refused write still to skip, then {@link #afterDiscard} is answered. */
    private long discardRemaining;
    private Request afterDiscard;

    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicLong inflightBytes = new AtomicLong();
    /** Requests handed to the device and not completed yet; close waits for them. */
    private final AtomicInteger deviceOps = new AtomicInteger();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile boolean readPaused;
    /** No more requests are read (NBD_CMD_DISC, or the server is shutting down). */
    private volatile boolean draining;
    private volatile boolean closed;

    // Writer state, touched only by the thread that holds the writer flag.
    private final AtomicReference<Request> replies = new AtomicReference<>();
    private final AtomicInteger writer = new AtomicInteger();
    private volatile boolean writeStalled;
    private volatile Thread readerThread;
    private Request chain;
    private final ByteBuffer small = ByteBuffer.allocateDirect(MAX_BATCH * MAX_SMALL_REPLY);
    private final ByteBuffer[] out = new ByteBuffer[MAX_BATCH + 1];
    private final Request[] batch = new Request[MAX_BATCH];
    private int outCount;
    private int outIndex;
    private int batchCount;

    NbdConnection(NbdServer server, ChannelIo io, String peer) {
        this.server = server;
        this.device = server.device();
        this.pool = server.pool();
        this.stats = server.stats();
        this.options = server.options();
        this.volume = options.exportName();
        this.io = io;
        this.peer = peer;
        in.limit(0);
    }

    String peer() {
        return peer;
    }

    /** Completes when the connection is closed and no request of it is still in the device. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    /** Stops reading requests; the connection closes once the ones in flight are answered. */
    void shutdown() {
        draining = true;
        if (session == null) {
            closeChannel();
        }
        io.selector().wakeup();
    }

    /** Closes the socket at once; requests still in the device complete into the void. */
    void abort() {
        closed = true;
        closeChannel();
        io.selector().wakeup();
    }

    @Override
    public void run() {
        try {
            io.deadlineIn(options.handshakeTimeout().toNanos());
            session = new NbdHandshake(volume, device::size, options.multiConn(), io).run();
            io.noDeadline();
            if (session == null) {
                LOG.debugf("volume %s: NBD client %s aborted the handshake", volume, peer);
            } else if (!draining) {
                LOG.debugf("volume %s: NBD client %s connected to export \"%s\" (size %d, flags 0x%x, structured %s)",
                        volume, peer, session.exportName(), session.size(), session.transmissionFlags(),
                        session.structuredReplies());
                transmit();
            }
        } catch (HandshakeException e) {
            LOG.warnf("volume %s: closing NBD connection from %s: bad handshake: %s", volume, peer, e.getMessage());
        } catch (ProtocolViolation e) {
            LOG.warnf("volume %s: closing NBD connection from %s: %s", volume, peer, e.getMessage());
        } catch (EOFException | ClosedChannelException e) {
            LOG.debugf("volume %s: NBD connection from %s closed", volume, peer);
        } catch (IOException e) {
            if (!closed) {
                LOG.infof("volume %s: NBD connection from %s failed: %s", volume, peer, e.toString());
            }
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "volume %s: NBD connection from %s failed", volume, peer);
        } finally {
            closed = true;
            io.close();
            if (writer.compareAndSet(0, 1) || writeStalled) {
                // Nobody else is writing: drop what is queued so its buffers go back to the pool.
                writeStalled = false;
                runWriter();
            }
            if (payloadPending != null) {
                pool.give(payloadPending.buffer);
                payloadPending = null;
            }
            server.connectionClosed(this);
            if (deviceOps.get() == 0) {
                finished.complete(null);
            }
        }
    }

    // ---------------------------------------------------------------- reading

    private void transmit() throws IOException {
        SelectionKey key = io.key();
        readerThread = Thread.currentThread();
        while (!closed) {
            if (writeStalled) {
                // Try the stalled write again before reading more: the client may have caught up.
                writeStalled = false;
                runWriter();
            }
            if (draining) {
                abandonPartialRequest();
                if (inflight.get() == 0) {
                    return;
                }
            } else if (!paused()) {
                // The requests of one read reach each replica connection in one write: the
                // frames the device sends while they are parsed leave together at the end.
                try (SendBatch batch = SendBatch.open()) {
                    parseBuffered();
                }
                if (draining) {
                    continue;
                }
                if (!paused()) {
                    int n = fill();
                    if (n < 0) {
                        LOG.debugf("volume %s: NBD client %s hung up", volume, peer);
                        return;
                    }
                    if (n > 0) {
                        continue;
                    }
                }
            }
            int ops = (!draining && !readPaused ? SelectionKey.OP_READ : 0)
                    | (writeStalled ? SelectionKey.OP_WRITE : 0);
            key.interestOps(ops);
            io.selector().select();
            boolean writable = key.isValid() && key.isWritable();
            io.selector().selectedKeys().clear();
            if (writable && writeStalled) {
                // The writer stalled on a full socket and left the writer flag to this thread.
                writeStalled = false;
                runWriter();
            }
        }
    }

    /**
     * The server is shutting down while a write's payload is still arriving: that request will never
     * be executed or answered, so stop counting it.
     */
    private void abandonPartialRequest() {
        if (payloadPending != null) {
            pool.give(payloadPending.buffer);
            payloadPending.buffer = null;
            released(1, payloadPending.inflightBytes);
            payloadPending = null;
        }
        if (afterDiscard != null) {
            discardRemaining = 0;
            afterDiscard = null;
            released(1, 0);
        }
    }

    /** Whether too much is in flight to read more; publishes that for the writers, who wake us. */
    private boolean paused() {
        if (belowLimits()) {
            readPaused = false;
            return false;
        }
        readPaused = true;
        // Check again after publishing the flag, so a reply written in between is not missed.
        if (belowLimits()) {
            readPaused = false;
            return false;
        }
        return true;
    }

    private boolean belowLimits() {
        int n = inflight.get();
        // A connection with nothing in flight may always read one request, whatever the others hold.
        return n == 0 || n < options.maxInflightRequests() && inflightBytes.get() < options.maxInflightBytes()
                && server.belowTotalLimit();
    }

    /** Called when the server's total in flight dropped: a reader paused on it may go on. */
    void wakeIfPaused() {
        if (readPaused) {
            io.selector().wakeup();
        }
    }

    /** Reads from the socket: straight into a pending write's payload when nothing else is buffered. */
    private int fill() throws IOException {
        if (payloadPending != null && !in.hasRemaining()) {
            return io.channel().read(payloadPending.buffer);
        }
        in.compact();
        try {
            return io.channel().read(in);
        } finally {
            in.flip();
        }
    }

    /** Parses and submits every complete request in the buffer, until paused or draining. */
    private void parseBuffered() throws IOException {
        while (!draining && !paused()) {
            if (discardRemaining > 0) {
                int skip = (int) Math.min(discardRemaining, in.remaining());
                in.position(in.position() + skip);
                discardRemaining -= skip;
                if (discardRemaining > 0) {
                    return;
                }
                Request refused = afterDiscard;
                afterDiscard = null;
                reply(refused);
                continue;
            }
            if (payloadPending != null) {
                ByteBuffer payload = payloadPending.buffer;
                int n = Math.min(in.remaining(), payload.remaining());
                if (n > 0) {
                    payload.put(payload.position(), in, in.position(), n);
                    payload.position(payload.position() + n);
                    in.position(in.position() + n);
                }
                if (payload.hasRemaining()) {
                    return;
                }
                Request ready = payloadPending;
                payloadPending = null;
                payload.position(BufferPool.HEADROOM);
                submit(ready);
                continue;
            }
            if (in.remaining() < REQUEST_HEADER_LENGTH) {
                return;
            }
            parseHeader();
        }
    }

    private void parseHeader() throws IOException {
        int magic = in.getInt();
        if (magic != REQUEST_MAGIC) {
            throw new ProtocolViolation("bad request magic 0x" + Integer.toHexString(magic));
        }
        int flags = Short.toUnsignedInt(in.getShort());
        int type = Short.toUnsignedInt(in.getShort());
        long handle = in.getLong();
        long offset = in.getLong();
        long length = Integer.toUnsignedLong(in.getInt());
        if (type == CMD_DISC) {
            LOG.debugf("volume %s: NBD client %s disconnects", volume, peer);
            draining = true;
            return;
        }
        Request r = new Request(this, type, flags, handle, offset, (int) Math.min(length, Integer.MAX_VALUE));
        inflight.incrementAndGet();
        String invalid = validate(type, flags, offset, length, r);
        if (type == CMD_WRITE && length > 0) {
            if (invalid != null) {
                // The payload follows the header whatever we think of the request: skip it.
                discardRemaining = length;
                afterDiscard = r;
                return;
            }
            r.inflightBytes = (int) length;
            inflightBytes.addAndGet(length);
            server.reserved(length);
            r.buffer = pool.take((int) length);
            payloadPending = r;
            return;
        }
        if (invalid != null) {
            reply(r);
            return;
        }
        if (type == CMD_READ) {
            r.inflightBytes = (int) length;
            inflightBytes.addAndGet(length);
            server.reserved(length);
            r.buffer = pool.take((int) length);
        }
        submit(r);
    }

    /** Checks a request against the protocol and the export; sets the error and returns it, or null. */
    private String validate(int type, int flags, long offset, long length, Request r) {
        int allowed = CMD_FLAG_FUA;
        switch (type) {
            case CMD_READ -> allowed |= session.structuredReplies() ? CMD_FLAG_DF : 0;
            case CMD_WRITE_ZEROES -> allowed |= CMD_FLAG_NO_HOLE;
            case CMD_WRITE, CMD_FLUSH, CMD_TRIM -> {
            }
            default -> {
                return refuse(r, WireStatus.EINVAL, "unknown command " + type);
            }
        }
        if ((flags & ~allowed) != 0) {
            return refuse(r, WireStatus.EINVAL, "flags 0x" + Integer.toHexString(flags) + " not valid for "
                    + commandName(type));
        }
        if (type == CMD_FLUSH) {
            return null;
        }
        if (length == 0) {
            return refuse(r, WireStatus.EINVAL, commandName(type) + " of zero length");
        }
        if ((type == CMD_READ || type == CMD_WRITE) && length > MAX_PAYLOAD) {
            return refuse(r, WireStatus.EINVAL, commandName(type) + " of " + length
                    + " bytes exceeds the maximum block size " + MAX_PAYLOAD);
        }
        // The device's size now, not the one sent at the handshake: an engine expanded while this
        // connection is open serves the grown range at once, so that the client (the kernel after
        // NBD_CMD_RECONFIGURE with a new size) can use it without reconnecting. Volumes only grow,
        // so nothing the client was told it may address ever becomes refused.
        long size = device.size();
        if (offset < 0 || offset > size || length > size - offset) {
            // The protocol asks for ENOSPC on writes beyond the end, EINVAL otherwise.
            int errno = type == CMD_WRITE || type == CMD_WRITE_ZEROES ? WireStatus.ENOSPC : WireStatus.EINVAL;
            return refuse(r, errno, commandName(type) + " of " + length + " bytes at "
                    + Long.toUnsignedString(offset) + " is beyond the end of the export (" + size + " bytes)");
        }
        return null;
    }

    private String refuse(Request r, int errno, String message) {
        r.fail(errno, message);
        LOG.debugf("volume %s: NBD client %s: %s", volume, peer, message);
        return message;
    }

    private void submit(Request r) {
        deviceOps.incrementAndGet();
        boolean fua = (r.flags & CMD_FLAG_FUA) != 0;
        CompletableFuture<Void> f;
        try {
            f = switch (r.type) {
                case CMD_READ -> device.read(r.offset, r.buffer);
                case CMD_WRITE -> device.write(r.offset, r.buffer, fua);
                case CMD_FLUSH -> device.flush();
                case CMD_TRIM -> fua ? device.trim(r.offset, r.length).thenCompose(v -> device.flush())
                        : device.trim(r.offset, r.length);
                case CMD_WRITE_ZEROES -> (r.flags & CMD_FLAG_NO_HOLE) != 0
                        ? writeZeroData(r.offset, r.length, fua)
                        : device.writeZeroes(r.offset, r.length, fua);
                default -> throw new IllegalStateException("unexpected command " + r.type);
            };
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete(r);
    }

    /** NO_HOLE: the client wants the range allocated, so write real zeroes instead of punching. */
    private CompletableFuture<Void> writeZeroData(long offset, long length, boolean fua) {
        int n = (int) Math.min(length, ZERO_CHUNK.capacity());
        CompletableFuture<Void> f = device.write(offset, ZERO_CHUNK.slice(0, n), fua);
        return n == length ? f : f.thenCompose(v -> writeZeroData(offset + n, length - n, fua));
    }

    /** Called by {@link Request} when the device is done with it, on the device's thread. */
    void completed(Request r, Throwable failure) {
        if (failure != null) {
            Throwable cause = unwrap(failure);
            if (cause instanceof BlockDeviceException bde) {
                r.fail(bde.errno() == WireStatus.OK ? WireStatus.EIO : bde.errno(), bde.getMessage());
            } else {
                r.fail(WireStatus.EIO, String.valueOf(cause));
            }
            LOG.debugf("volume %s: NBD %s of %d bytes at %d from %s failed: %s", volume, commandName(r.type),
                    r.length, r.offset, peer, cause);
        }
        if (r.type == CMD_WRITE || (r.type == CMD_READ && r.error != 0)) {
            pool.give(r.buffer);
            r.buffer = null;
        }
        reply(r);
        if (deviceOps.decrementAndGet() == 0 && closed) {
            finished.complete(null);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---------------------------------------------------------------- writing

    private void reply(Request r) {
        count(r);
        Request head;
        do {
            head = replies.get();
            r.next = head;
        } while (!replies.compareAndSet(head, r));
        if (writer.compareAndSet(0, 1)) {
            runWriter();
        }
    }

    /** Adds a finished request to the volume's counters: from header parsed to reply ready. */
    private void count(Request r) {
        IoStats.Op op = switch (r.type) {
            case CMD_READ -> stats.read();
            case CMD_WRITE -> stats.write();
            case CMD_FLUSH -> stats.flush();
            case CMD_TRIM -> stats.trim();
            case CMD_WRITE_ZEROES -> stats.writeZeroes();
            default -> null;
        };
        if (op != null) {
            op.record(r.type == CMD_FLUSH ? 0 : r.length, r.error != 0, System.nanoTime() - r.startNanos);
        }
    }

    /**
     * Sends queued replies until none are left. The caller holds the writer flag; it is released
     * here, or kept for the connection thread when the socket is full.
     */
    private void runWriter() {
        while (true) {
            if (closed) {
                dropAll();
            } else if (batchCount == 0 && !buildBatch()) {
                writer.set(0);
                if (replies.get() == null || !writer.compareAndSet(0, 1)) {
                    return;
                }
                continue;
            } else {
                try {
                    while (outIndex < outCount) {
                        long n = io.channel().write(out, outIndex, outCount - outIndex);
                        while (outIndex < outCount && !out[outIndex].hasRemaining()) {
                            outIndex++;
                        }
                        if (n == 0 && outIndex < outCount) {
                            // Socket full: the connection thread resumes when it is writable.
                            writeStalled = true;
                            if (Thread.currentThread() != readerThread) {
                                io.selector().wakeup();
                            }
                            return;
                        }
                    }
                } catch (IOException e) {
                    if (!closed) {
                        LOG.infof("volume %s: writing NBD replies to %s failed: %s", volume, peer, e.toString());
                    }
                    abort();
                    continue;
                }
                finishBatch();
                continue;
            }
            writer.set(0);
            if (replies.get() == null || !writer.compareAndSet(0, 1)) {
                return;
            }
        }
    }

    /** Moves queued replies into the gathering-write arrays; false when there are none. */
    private boolean buildBatch() {
        small.clear();
        outCount = 1;
        outIndex = 0;
        while (batchCount < MAX_BATCH && small.remaining() >= MAX_SMALL_REPLY) {
            Request r = chain;
            if (r == null) {
                r = replies.getAndSet(null);
                if (r == null) {
                    break;
                }
            }
            chain = r.next;
            r.next = null;
            encode(r);
            batch[batchCount++] = r;
        }
        small.flip();
        out[0] = small;
        return batchCount > 0;
    }

    private void encode(Request r) {
        boolean structured = session != null && session.structuredReplies();
        if (r.type == CMD_READ && r.error == 0) {
            ByteBuffer b = r.buffer;
            int at;
            if (structured) {
                at = BufferPool.HEADROOM - CHUNK_HEADER_LENGTH - 8;
                b.putInt(at, STRUCTURED_REPLY_MAGIC).putShort(at + 4, (short) REPLY_FLAG_DONE)
                        .putShort(at + 6, (short) REPLY_TYPE_OFFSET_DATA).putLong(at + 8, r.handle)
                        .putInt(at + 16, 8 + r.length).putLong(at + 20, r.offset);
            } else {
                at = BufferPool.HEADROOM - SIMPLE_REPLY_LENGTH;
                b.putInt(at, SIMPLE_REPLY_MAGIC).putInt(at + 4, 0).putLong(at + 8, r.handle);
            }
            b.limit(BufferPool.HEADROOM + r.length).position(at);
            out[outCount++] = b;
        } else if (r.type == CMD_READ && structured) {
            // A read must be answered with a structured reply once they are negotiated, errors too.
            byte[] message = message(r);
            small.putInt(STRUCTURED_REPLY_MAGIC).putShort((short) REPLY_FLAG_DONE).putShort((short) REPLY_TYPE_ERROR)
                    .putLong(r.handle).putInt(6 + message.length).putInt(r.error).putShort((short) message.length)
                    .put(message);
        } else {
            small.putInt(SIMPLE_REPLY_MAGIC).putInt(r.error).putLong(r.handle);
        }
    }

    private static byte[] message(Request r) {
        if (r.message == null) {
            return new byte[0];
        }
        byte[] bytes = r.message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE) {
            return bytes;
        }
        // Cut on a character boundary so the message stays valid UTF-8.
        int end = MAX_MESSAGE;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return java.util.Arrays.copyOf(bytes, end);
    }

    private void finishBatch() {
        long bytes = 0;
        for (int i = 0; i < batchCount; i++) {
            Request r = batch[i];
            batch[i] = null;
            bytes += r.inflightBytes;
            if (r.buffer != null) {
                pool.give(r.buffer);
                r.buffer = null;
            }
        }
        for (int i = 1; i < outCount; i++) {
            out[i] = null;
        }
        released(batchCount, bytes);
        batchCount = 0;
        outCount = 0;
        outIndex = 0;
    }

    /** The connection is gone: give back the buffers of every reply that will never be sent. */
    private void dropAll() {
        finishBatch();
        Request r = chain != null ? chain : replies.getAndSet(null);
        chain = null;
        int n = 0;
        long bytes = 0;
        while (r != null) {
            if (r.buffer != null) {
                pool.give(r.buffer);
                r.buffer = null;
            }
            n++;
            bytes += r.inflightBytes;
            Request next = r.next;
            r.next = null;
            r = next != null ? next : replies.getAndSet(null);
        }
        released(n, bytes);
    }

    private void released(int requests, long bytes) {
        if (requests == 0) {
            return;
        }
        inflightBytes.addAndGet(-bytes);
        if (bytes != 0) {
            server.released(bytes);
        }
        int left = inflight.addAndGet(-requests);
        if (readPaused || (draining && left == 0)) {
            io.selector().wakeup();
        }
    }

    private void closeChannel() {
        try {
            io.channel().close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The client broke the transmission protocol; the stream cannot be resynchronized. */
    static final class ProtocolViolation extends IOException {
        ProtocolViolation(String message) {
            super(message);
        }
    }
}
