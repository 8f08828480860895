package io.longhorn.replica.server;

import io.longhorn.api.auth.DataAuth;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.wire.Frame;
import io.longhorn.api.wire.FrameConnection;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.wire.MessageType;
import io.longhorn.api.wire.ProtocolException;
import io.longhorn.api.wire.SnapshotRead;
import io.longhorn.api.wire.WireStatus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.jboss.logging.Logger;

/**
 * One client connection of the data server. Requests are decoded on the connection's I/O thread
 * and replies leave in completion order, not arrival order; the client matches them by id.
 *
 * <p>On a two-core machine a thread hand-off per 4 KiB request costs as much as the request, so
 * the connection avoids them: a small write without FUA goes into the page cache in microseconds
 * and runs right on the I/O thread, its reply leaving with the others decoded in the same read.
 * Likewise a read whose data the page cache holds (which the kernel can tell without waiting).
 * The remaining requests of one read are handed to the workers in a few chunks rather than one by
 * one, and each chunk's replies leave in one write. Requests that may take long (flush, FUA,
 * zeroing, big ranges) each get a worker of their own, so they hold up nothing else.
 */
final class DataConnection implements FrameConnection.Handler {
    private static final Logger LOG = Logger.getLogger(DataConnection.class);
    /** Reads and writes up to this size are batched; bigger ones run alone. */
    static final int BATCHED_MAX = 128 << 10;
    /** Writes up to this size (without FUA) run on the I/O thread. */
    static final int INLINE_WRITE_MAX = 64 << 10;
    /** -Dlonghorn.data.no-inline=true sends every request to the workers (for comparisons). */
    static final boolean INLINE = !Boolean.getBoolean("longhorn.data.no-inline");
    /**
     * A read that arrived alone (nothing else decoded in the same socket read, as at queue depth 1)
     * runs on the I/O thread: a worker hand-off would cost more than a read from the page cache,
     * and with nothing else pending it holds up no other request even when it has to wait for
     * the disk. -Dlonghorn.data.lone-read-inline=false hands it to a worker (for comparisons).
     */
    static final boolean LONE_READ_INLINE = INLINE
            && Boolean.parseBoolean(System.getProperty("longhorn.data.lone-read-inline", "true"));
    /**
     * Reads whose data the page cache holds are served on the I/O thread (preadv2 with RWF_NOWAIT,
     * which never waits for the disk): a page-cache read costs a few microseconds, less than the
     * hand-off to a worker and the worker's wake-up, and cannot hold up the other requests for
     * long. Reads that would wait for the disk still go to the workers.
     * -Dlonghorn.data.cached-read-inline=false hands every batched read to the workers (for
     * comparisons).
     */
    static final boolean CACHED_READ_INLINE = INLINE
            && Boolean.parseBoolean(System.getProperty("longhorn.data.cached-read-inline", "true"));
    /** Inline writes after which their replies are sent without waiting for the end of the read. */
    static final int INLINE_REPLY_BATCH = 8;

    private final DataServer server;
    private final String peer;
    private FrameConnection connection;
    /** Inline writes whose replies are still queued; I/O thread only. */
    private int inlineSinceFlush;
    /** Requests decoded in the current read, for the workers; I/O thread only. */
    private final ArrayList<DataRequest> decoded = new ArrayList<>();
    /** The nonces of the challenge-response, once AUTH arrived; I/O thread only. */
    private byte[] clientNonce;
    private byte[] replicaNonce;
    /** Whether the hello was accepted; I/O thread only. */
    private boolean admitted;
    /** Who writes on this connection, once admitted (read by the fence). */
    private volatile Hello hello;
    /** Set by the fence: writes not yet started are refused. */
    private volatile boolean fenced;
    /** Writes, write-zeroes and unmaps between {@link #enterWrite} and {@link #exitWrite}. */
    private final AtomicInteger writing = new AtomicInteger();
    /** Requests read whose reply is not yet in the socket, and their payload bytes (both ways). */
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicLong inflightBytes = new AtomicLong();

    DataConnection(DataServer server, String peer) {
        this.server = server;
        this.peer = peer;
    }

    void attach(FrameConnection c) {
        this.connection = c;
    }

    FrameConnection connection() {
        return connection;
    }

    Hello hello() {
        return hello;
    }

    void admit(Hello h) {
        this.hello = h;
    }

    /**
     * Called by the fence before a write changes the store; false when this connection is fenced
     * off. The counter and the flag pair up (each side writes its own, then reads the other's) so
     * that the fence either sees the write in progress and waits for it, or the write sees the
     * fence and does not start.
     */
    boolean enterWrite() {
        writing.incrementAndGet();
        if (fenced) {
            writing.decrementAndGet();
            return false;
        }
        return true;
    }

    void exitWrite() {
        writing.decrementAndGet();
    }

    /** Refuses writes not yet started and closes the connection. */
    void fence() {
        fenced = true;
        connection.close();
    }

    /** Waits until no write of this connection is in progress; false when the deadline passed first. */
    boolean awaitIdle(long deadlineNanos) {
        while (writing.get() > 0) {
            if (System.nanoTime() - deadlineNanos > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    @Override
    public ByteBuffer payloadBuffer(Frame frame) throws ProtocolException {
        requireRequest(frame);
        if (frame.type() == MessageType.HELLO) {
            if (frame.byteLength() > Hello.MAX_PAYLOAD) {
                throw new ProtocolException("hello of " + frame.byteLength() + " bytes from " + peer + " exceeds "
                        + Hello.MAX_PAYLOAD + " bytes");
            }
            return ByteBuffer.allocate(frame.length());
        }
        if (frame.type() == MessageType.AUTH) {
            if (frame.byteLength() != DataAuth.NONCE_SIZE) {
                throw new ProtocolException("challenge of " + frame.byteLength() + " bytes from " + peer + ", expected "
                        + DataAuth.NONCE_SIZE);
            }
            return ByteBuffer.allocate(frame.length());
        }
        if (frame.type() == MessageType.READ_SNAPSHOT) {
            if (frame.byteLength() > SnapshotRead.MAX_PAYLOAD) {
                throw new ProtocolException("snapshot read of " + frame.byteLength() + " bytes from " + peer + " exceeds "
                        + SnapshotRead.MAX_PAYLOAD + " bytes");
            }
            return ByteBuffer.allocate(frame.length());
        }
        return server.buffers().acquire(frame.payloadLength());
    }

    @Override
    public void onFrame(Frame frame, ByteBuffer payload) throws ProtocolException {
        requireRequest(frame);
        if (!admitted) {
            if (frame.type() == MessageType.AUTH) {
                challenge(frame, payload);
            } else {
                hello(frame, payload);
            }
            return;
        }
        if (frame.type() == MessageType.HELLO || frame.type() == MessageType.AUTH) {
            throw new ProtocolException("a second " + frame.type() + " from " + peer);
        }
        if (payload != null) {
            payload.flip();
        } else if (frame.type() == MessageType.WRITE) {
            payload = server.buffers().acquire(0); // a write of nothing: no payload on the wire
        }
        long bytes = switch (frame.type()) {
            case READ, WRITE -> frame.length();
            case READ_SNAPSHOT -> SnapshotRead.requestedLength(payload);
            default -> 0;
        };
        inflight.incrementAndGet();
        inflightBytes.addAndGet(bytes);
        DataRequest request = new DataRequest(server, this, frame, payload, () -> answered(bytes));
        if (INLINE && frame.type() == MessageType.WRITE && !frame.fua() && frame.length() <= INLINE_WRITE_MAX) {
            request.runQueued();
            // Replies leave after this read's frames are decoded, or every few writes when the read
            // brought many, so the client can send more while the rest is written.
            if (++inlineSinceFlush >= INLINE_REPLY_BATCH) {
                inlineSinceFlush = 0;
                connection.flush();
            }
        } else if (frame.type() == MessageType.READ_SNAPSHOT) {
            dispatch(server.snapshotReaders(), request);
        } else if (request.slow()) {
            dispatch(request);
        } else {
            decoded.add(request);
        }
    }

    @Override
    public void onReadBatchEnd() {
        inlineSinceFlush = 0;
        int n = decoded.size();
        if (n == 0) {
            return;
        }
        if (CACHED_READ_INLINE) {
            n = serveCachedReads();
            if (n == 0) {
                connection.flush();
                return;
            }
        }
        if (n == 1) {
            DataRequest only = decoded.getFirst();
            if (LONE_READ_INLINE && only.isRead()) {
                only.runQueued();
                connection.flush();
            } else {
                dispatch(only);
            }
        } else {
            int parts = Math.min(n, server.workerCount());
            for (int i = 0; i < parts; i++) {
                List<DataRequest> chunk = List.copyOf(decoded.subList(i * n / parts, (i + 1) * n / parts));
                dispatch(() -> {
                    for (DataRequest r : chunk) {
                        r.runQueued();
                    }
                    connection.flush();
                });
            }
        }
        decoded.clear();
    }

    /**
     * Serves the decoded reads whose data the page cache holds right here, and keeps the rest in
     * {@link #decoded} for the workers, in their order. Only reads decoded before any other
     * batched request (a write too big to run inline) are served here, so that no read decoded
     * after a write runs before it.
     *
     * @return how many requests are left for the workers
     */
    private int serveCachedReads() {
        int kept = 0;
        boolean inOrder = true;
        for (int i = 0; i < decoded.size(); i++) {
            DataRequest r = decoded.get(i);
            inOrder &= r.isRead();
            if (!(inOrder && r.tryReadCached())) {
                decoded.set(kept++, r);
            }
        }
        decoded.subList(kept, decoded.size()).clear();
        return kept;
    }

    /**
     * The client opens the challenge-response: answer with a fresh nonce, or with nothing when this
     * replica has no secret (the client decides whether it talks to such a replica).
     */
    private void challenge(Frame frame, ByteBuffer payload) throws ProtocolException {
        if (clientNonce != null) {
            throw new ProtocolException("a second AUTH from " + peer);
        }
        if (payload == null) {
            throw new ProtocolException("empty AUTH from " + peer);
        }
        clientNonce = new byte[DataAuth.NONCE_SIZE];
        payload.flip().get(clientNonce);
        VolumeSecret secret = server.secret();
        if (secret == null) {
            connection.send(Frame.ok(frame, 0), null, null);
            return;
        }
        replicaNonce = VolumeSecret.randomBytes(DataAuth.NONCE_SIZE);
        connection.send(Frame.ok(frame, replicaNonce.length), ByteBuffer.wrap(replicaNonce.clone()), null);
    }

    /**
     * The first frame after the challenge-response: who writes. Admitted or refused by the fence;
     * refused connections may retry. With a secret, the hello must carry the client's proof; the
     * reply to an admitted one carries the replica's.
     */
    private void hello(Frame frame, ByteBuffer payload) throws ProtocolException {
        if (frame.type() != MessageType.HELLO) {
            if (payload != null && frame.type() == MessageType.WRITE) {
                server.buffers().release(payload);
            }
            if (server.secret() != null) {
                server.refused(peer, "sent " + frame.type() + " before proving the volume's secret");
            }
            throw new ProtocolException("the first frame from " + peer + " must be HELLO, not " + frame.type());
        }
        if (payload == null) {
            throw new ProtocolException("empty hello from " + peer);
        }
        Hello.Signed signed = Hello.decodeSigned(frame, payload.flip());
        Hello h = signed.hello();
        VolumeSecret secret = server.secret();
        ByteBuffer proof = null;
        if (secret != null) {
            String why = replicaNonce == null ? "no challenge-response before the hello"
                    : signed.proof() == null ? "no proof in the hello"
                    : !DataAuth.verifyClient(secret, signed.proof(), clientNonce, replicaNonce, h)
                    ? "the proof does not match the volume's secret" : null;
            if (why != null) {
                server.refused(peer, h + ": " + why);
                replicaNonce = null; // spent: a retry on this connection has nothing to answer
                byte[] m = (server.target().describe() + " refused the data connection of " + h + " from " + peer
                        + ": it did not prove it holds the volume's secret (" + why + ")").getBytes(StandardCharsets.UTF_8);
                // Nothing of this connection reached the store; close it once the refusal is out.
                connection.send(Frame.error(frame, WireStatus.EACCES, m.length), ByteBuffer.wrap(m), connection::close);
                connection.flush();
                return;
            }
            proof = ByteBuffer.wrap(DataAuth.replicaProof(secret, clientNonce, replicaNonce, h));
        }
        try {
            server.admit(this, h);
            admitted = true;
            connection.send(Frame.ok(frame, proof == null ? 0 : proof.remaining()), proof, null);
            LOG.debugf("%s: data connection from %s: %s", server.target().describe(), peer, h);
        } catch (RuntimeException e) {
            int status = WireErrors.status(e);
            LOG.warnf("%s: refused the data connection from %s: %s", server.target().describe(), peer, e.getMessage());
            byte[] m = WireErrors.message(e).getBytes(StandardCharsets.UTF_8);
            connection.send(Frame.error(frame, status == WireStatus.EIO ? WireStatus.EINVAL : status, m.length),
                    ByteBuffer.wrap(m), null);
        }
    }

    /**
     * Back-pressure: stop decoding requests while too many are unanswered, so that a client that
     * sends faster than it takes replies cannot fill the replica's memory with them.
     */
    @Override
    public boolean wantsMore() {
        int n = inflight.get();
        DataServer.Options o = server.options();
        return n == 0 || n < o.maxInflightRequests() && inflightBytes.get() < o.maxInflightBytes();
    }

    /** A reply is in the socket (or the connection is gone). */
    private void answered(long bytes) {
        inflightBytes.addAndGet(-bytes);
        inflight.decrementAndGet();
        connection.resumeReading();
    }

    long inflightBytes() {
        return inflightBytes.get();
    }

    private void dispatch(Runnable task) {
        dispatch(server.workers(), task);
    }

    private void dispatch(java.util.concurrent.Executor executor, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // The server is shutting down: the connection goes with it.
            connection.close();
        }
    }

    private void requireRequest(Frame frame) throws ProtocolException {
        if (frame.reply()) {
            throw new ProtocolException("unexpected reply frame " + frame.id() + " (" + frame.type() + ") from a client");
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        server.forget(this);
        if (cause == null || cause instanceof FrameConnection.PeerClosedException) {
            LOG.debugf("%s: data connection from %s closed", server.target().describe(), peer);
        } else if (cause instanceof ProtocolException) {
            LOG.warnf("%s: closing data connection from %s: %s", server.target().describe(), peer, cause.getMessage());
        } else {
            LOG.warnf("%s: data connection from %s failed: %s", server.target().describe(), peer, cause.toString());
        }
    }
}
