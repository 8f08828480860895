package io.longhorn.api.client;

import io.longhorn.api.auth.DataAuth;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Frame;
import io.longhorn.api.wire.FrameConnection;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.wire.MessageType;
import io.longhorn.api.wire.ProtocolException;
import io.longhorn.api.wire.SnapshotRead;
import io.longhorn.api.wire.WireStatus;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A connection to one replica's data server. Every method sends one request (or several, for
 * I/O bigger than {@link Frame#MAX_PAYLOAD}) and returns at once; any number of requests may be
 * in flight, and replies complete their futures in whatever order the replica answers.
 *
 * <p>Futures complete on the connection's I/O thread: dependent actions run there and must not
 * block (sending further requests from them is fine and cheap). A failed request completes with a
 * {@link ReplicaDataException} carrying the replica's status; when the connection is lost every
 * pending request fails with {@link WireStatus#EIO}, after {@link #close()} with
 * {@link WireStatus#ESHUTDOWN}. Offsets and lengths must be multiples of 4096; the replica
 * refuses others with {@link WireStatus#EINVAL}.
 *
 * <p>There are no timeouts here: the caller decides how long a replica may take
 * ({@code future.orTimeout(...)}) and closes the client when it gives up on it.
 */
public final class ReplicaDataClient implements AutoCloseable {

    /**
     * Longest WRITE_ZEROES or UNMAP sent in one frame. The length field is an unsigned 32-bit
     * value; 1 GiB parts keep each request (and the replica worker serving it) short.
     */
    static final int MAX_RANGE = 1 << 30;
    /** Longest payload of an OK reply to AUTH or HELLO (a nonce or a proof). */
    private static final int HANDSHAKE_REPLY_MAX = 64;
    /** Longest error message accepted from a replica. */
    private static final int MAX_ERROR_MESSAGE = 64 << 10;

    /**
     * Slots of the pending table: a power of two well above the 1024 requests a replica takes
     * per connection before it stops reading (more than that in flight spill into its overflow).
     */
    static final int PENDING_SLOTS = 4096;

    private final Address address;
    private final FrameConnection connection;
    private final PendingTable<Pending> pending = new PendingTable<>(PENDING_SLOTS);
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closedLocally;

    /** One request frame waiting for its reply. */
    private record Pending(long id, MessageType type, long offset, int length, ByteBuffer dst,
                           CompletableFuture<Void> future) implements PendingTable.Entry {
    }

    private ReplicaDataClient(Address address, SocketChannel channel) throws IOException {
        this.address = address;
        this.connection = FrameConnection.create(channel, "replica " + address, new Handler());
        connection.start();
    }

    /**
     * Connects to a replica's data server and introduces the writer with {@code hello}, the
     * handshake every connection starts with (see {@link Hello}), without a volume secret: for
     * replicas started by hand without one.
     *
     * @see #connect(Address, Duration, Hello, VolumeSecret)
     */
    public static ReplicaDataClient connect(Address address, Duration connectTimeout, Hello hello) throws IOException {
        return connect(address, connectTimeout, hello, null);
    }

    /**
     * Connects to a replica's data server and introduces the writer with {@code hello}. With a
     * {@code secret}, both sides first prove they hold it (see {@link DataAuth}): the replica
     * refuses a client that cannot, and this method refuses a replica that cannot, before any data
     * frame is sent.
     *
     * @param address        {@code tcp://host:port} or {@code unix:///path}
     * @param connectTimeout how long to wait for a TCP connection, and then for the handshake
     * @param hello          who writes, for which volume, at which generation
     * @param secret         the volume's secret, or null to connect without one
     * @throws ReplicaDataException (EIO) naming the address when it cannot connect; with the
     *                              replica's status (EPERM when fenced, EACCES when either side
     *                              failed to prove the secret) when the handshake fails
     */
    public static ReplicaDataClient connect(Address address, Duration connectTimeout, Hello hello, VolumeSecret secret)
            throws IOException {
        Objects.requireNonNull(hello, "hello");
        ReplicaDataClient c = open(address, connectTimeout);
        long ms = Math.max(1, connectTimeout.toMillis());
        try {
            if (secret == null) {
                c.send(MessageType.HELLO, hello.generation(), hello.payload().remaining(), hello.flags(), hello.payload(),
                        null)
                        .get(ms, TimeUnit.MILLISECONDS);
                return c;
            }
            byte[] clientNonce = VolumeSecret.randomBytes(DataAuth.NONCE_SIZE);
            ByteBuffer nonceReply = ByteBuffer.allocate(HANDSHAKE_REPLY_MAX);
            c.send(MessageType.AUTH, 0, clientNonce.length, 0, ByteBuffer.wrap(clientNonce), nonceReply)
                    .get(ms, TimeUnit.MILLISECONDS);
            byte[] replicaNonce = bytes(nonceReply);
            if (replicaNonce.length != DataAuth.NONCE_SIZE) {
                c.close();
                throw new ReplicaDataException(WireStatus.EACCES, "replica " + address + " has no secret for "
                        + hello + " (it answered the challenge with " + replicaNonce.length + " bytes): "
                        + "refusing to send it data");
            }
            ByteBuffer payload = hello.payload(DataAuth.clientProof(secret, clientNonce, replicaNonce, hello));
            ByteBuffer proofReply = ByteBuffer.allocate(HANDSHAKE_REPLY_MAX);
            c.send(MessageType.HELLO, hello.generation(), payload.remaining(), hello.flags(), payload, proofReply)
                    .get(ms, TimeUnit.MILLISECONDS);
            if (!DataAuth.verifyReplica(secret, bytes(proofReply), clientNonce, replicaNonce, hello)) {
                c.close();
                throw new ReplicaDataException(WireStatus.EACCES, "replica " + address + " did not prove it holds "
                        + "the secret of the volume of " + hello + ": refusing to send it data");
            }
            return c;
        } catch (ExecutionException e) {
            c.close();
            if (e.getCause() instanceof ReplicaDataException r) {
                throw new ReplicaDataException(r.status(), "replica " + address + " refused the data connection of "
                        + hello + ": " + r.getMessage(), r);
            }
            throw new ReplicaDataException(WireStatus.EIO, "handshake with replica " + address + " failed: " + e.getCause(), e);
        } catch (TimeoutException e) {
            c.close();
            throw new ReplicaDataException(WireStatus.EIO, "replica " + address + " did not answer the handshake of "
                    + hello + " within " + connectTimeout, e);
        } catch (InterruptedException e) {
            c.close();
            Thread.currentThread().interrupt();
            throw new ReplicaDataException(WireStatus.EIO, "interrupted while connecting to replica " + address, e);
        }
    }

    private static byte[] bytes(ByteBuffer filled) {
        filled.flip();
        byte[] b = new byte[filled.remaining()];
        filled.get(b);
        return b;
    }

    private static ReplicaDataClient open(Address address, Duration connectTimeout) throws IOException {
        Objects.requireNonNull(address, "address");
        SocketChannel ch = null;
        try {
            if (address.isUnix()) {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(address.socketAddress());
            } else {
                ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                long ms = Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
                ch.socket().connect(address.socketAddress(), (int) ms);
            }
            return new ReplicaDataClient(address, ch);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new ReplicaDataException(WireStatus.EIO, "cannot connect to replica " + address + ": " + e.getMessage(), e);
        }
    }

    public Address address() {
        return address;
    }

    public boolean isOpen() {
        return connection.isOpen();
    }

    /**
     * Writes {@code data}'s remaining bytes at {@code offset}. The caller keeps {@code data}'s
     * content unchanged until the future completes; its position and limit are not changed. Big
     * direct buffers go to the socket without a copy; heap buffers are copied once by the JDK.
     *
     * @param fua whether the replica makes the write durable before replying
     */
    public CompletableFuture<Void> write(long offset, ByteBuffer data, boolean fua) {
        int len = data.remaining();
        int flags = fua ? Frame.FLAG_FUA : 0;
        if (len <= Frame.MAX_PAYLOAD) {
            return send(MessageType.WRITE, offset, len, flags, data.duplicate(), null);
        }
        Parts parts = new Parts(partCount(len, Frame.MAX_PAYLOAD));
        for (int done = 0; done < len; done += Frame.MAX_PAYLOAD) {
            int n = Math.min(Frame.MAX_PAYLOAD, len - done);
            parts.add(send(MessageType.WRITE, offset + done, n, flags, data.slice(data.position() + done, n), null));
        }
        return parts.result;
    }

    /**
     * Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}, from its position to
     * its limit. Its position and limit are not changed; do not touch it until the future completes.
     */
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        int len = dst.remaining();
        if (len <= Frame.MAX_PAYLOAD) {
            return send(MessageType.READ, offset, len, 0, null, dst.slice());
        }
        Parts parts = new Parts(partCount(len, Frame.MAX_PAYLOAD));
        for (int done = 0; done < len; done += Frame.MAX_PAYLOAD) {
            int n = Math.min(Frame.MAX_PAYLOAD, len - done);
            parts.add(send(MessageType.READ, offset + done, n, 0, null, dst.slice(dst.position() + done, n)));
        }
        return parts.result;
    }

    /**
     * Reads {@code dst.remaining()} bytes at {@code offset} of snapshot {@code snapshot} (what the
     * volume held there when the snapshot was taken) into {@code dst}, as {@link #read} does.
     * Writes to the volume meanwhile do not change the result. A replica that does not have the
     * snapshot on its chain answers EINVAL naming it.
     */
    public CompletableFuture<Void> readSnapshot(String snapshot, long offset, ByteBuffer dst) {
        int len = dst.remaining();
        if (len <= Frame.MAX_PAYLOAD) {
            return sendSnapshotRead(snapshot, offset, dst.slice());
        }
        Parts parts = new Parts(partCount(len, Frame.MAX_PAYLOAD));
        for (int done = 0; done < len; done += Frame.MAX_PAYLOAD) {
            int n = Math.min(Frame.MAX_PAYLOAD, len - done);
            parts.add(sendSnapshotRead(snapshot, offset + done, dst.slice(dst.position() + done, n)));
        }
        return parts.result;
    }

    private CompletableFuture<Void> sendSnapshotRead(String snapshot, long offset, ByteBuffer dst) {
        ByteBuffer payload;
        try {
            payload = new SnapshotRead(snapshot, dst.remaining()).payload();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new ReplicaDataException(WireStatus.EINVAL,
                    describe(MessageType.READ_SNAPSHOT, offset, dst.remaining()) + ": " + e.getMessage()));
        }
        return send(MessageType.READ_SNAPSHOT, offset, dst.remaining(), payload.remaining(), 0, payload, dst);
    }

    /** Makes a range read back as zeros; the replica may allocate it. */
    public CompletableFuture<Void> writeZeroes(long offset, long length) {
        return range(MessageType.WRITE_ZEROES, offset, length);
    }

    /** Discards a range; it reads back as zeros and frees space. */
    public CompletableFuture<Void> unmap(long offset, long length) {
        return range(MessageType.UNMAP, offset, length);
    }

    /** Makes every write acknowledged before this call durable. */
    public CompletableFuture<Void> flush() {
        return send(MessageType.FLUSH, 0, 0, 0, null, null);
    }

    /** A round trip that touches no data. */
    public CompletableFuture<Void> ping() {
        return send(MessageType.PING, 0, 0, 0, null, null);
    }

    /** Closes the connection; pending requests fail with ESHUTDOWN. */
    @Override
    public void close() {
        closedLocally = true;
        connection.close();
    }

    @Override
    public String toString() {
        return "ReplicaDataClient[" + address + "]";
    }

    private CompletableFuture<Void> range(MessageType type, long offset, long length) {
        if (length < 0) {
            return CompletableFuture.failedFuture(new ReplicaDataException(WireStatus.EINVAL,
                    describe(type, offset, length) + ": negative length"));
        }
        if (length <= MAX_RANGE) {
            return send(type, offset, (int) length, 0, null, null);
        }
        Parts parts = new Parts(partCount(length, MAX_RANGE));
        for (long done = 0; done < length; done += MAX_RANGE) {
            parts.add(send(type, offset + done, (int) Math.min(MAX_RANGE, length - done), 0, null, null));
        }
        return parts.result;
    }

    private static int partCount(long length, long part) {
        return (int) ((length + part - 1) / part);
    }

    private CompletableFuture<Void> send(MessageType type, long offset, int length, int flags, ByteBuffer payload,
                                         ByteBuffer dst) {
        return send(type, offset, length, length, flags, payload, dst);
    }

    /**
     * @param length      the bytes the request addresses (those of the reply, for a read)
     * @param frameLength the frame's length field: {@code length}, except for a request whose
     *                    payload says what it addresses (READ_SNAPSHOT)
     */
    private CompletableFuture<Void> send(MessageType type, long offset, int length, int frameLength, int flags,
                                         ByteBuffer payload, ByteBuffer dst) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (offset < 0) {
            future.completeExceptionally(new ReplicaDataException(WireStatus.EINVAL,
                    describe(type, offset, length) + ": negative offset"));
            return future;
        }
        long id = ids.incrementAndGet();
        pending.add(new Pending(id, type, offset, length, dst, future));
        boolean queued = connection.send(Frame.request(type, id, offset, frameLength, flags), payload, null);
        if (!queued || !connection.isOpen()) {
            // Closed before or while queueing: whoever removes the entry fails it.
            Pending p = pending.remove(id);
            if (p != null) {
                fail(p, closedError(p, null));
            }
        }
        return future;
    }

    private static void fail(Pending p, ReplicaDataException e) {
        p.future.completeExceptionally(e);
    }

    private ReplicaDataException closedError(Pending p, Throwable cause) {
        if (closedLocally || cause == null) {
            return new ReplicaDataException(WireStatus.ESHUTDOWN,
                    describe(p.type, p.offset, p.length) + ": connection closed");
        }
        return new ReplicaDataException(WireStatus.EIO,
                describe(p.type, p.offset, p.length) + ": connection lost: " + cause.getMessage(), cause);
    }

    /** "failed to write 4096 bytes at 81920 to replica tcp://10.0.0.3:9503" and the like. */
    private String describe(MessageType type, long offset, long length) {
        return switch (type) {
            case READ -> "failed to read " + length + " bytes at " + offset + " from replica " + address;
            case READ_SNAPSHOT -> "failed to read " + length + " bytes at " + offset + " of a snapshot from replica "
                    + address;
            case WRITE -> "failed to write " + length + " bytes at " + offset + " to replica " + address;
            case WRITE_ZEROES -> "failed to write zeroes to " + length + " bytes at " + offset + " on replica " + address;
            case UNMAP -> "failed to unmap " + length + " bytes at " + offset + " on replica " + address;
            case FLUSH -> "failed to flush replica " + address;
            case PING -> "failed to ping replica " + address;
            case HELLO -> "handshake at generation " + offset + " with replica " + address;
            case AUTH -> "challenge-response with replica " + address;
        };
    }

    /** Replies from the replica, on the connection's I/O thread. */
    private final class Handler implements FrameConnection.Handler {
        @Override
        public ByteBuffer payloadBuffer(Frame frame) throws ProtocolException {
            Pending p = lookup(frame);
            if (frame.status() != WireStatus.OK) {
                if (frame.length() > MAX_ERROR_MESSAGE) {
                    throw new ProtocolException("error reply " + frame.id() + " from replica " + address
                            + " carries a message of " + frame.length() + " bytes");
                }
                return ByteBuffer.allocate(frame.length());
            }
            if (frame.type() == MessageType.HELLO || frame.type() == MessageType.AUTH) {
                if (p.dst == null || frame.length() > p.dst.capacity()) {
                    throw new ProtocolException(frame.type() + " reply " + frame.id() + " from replica " + address
                            + " carries " + frame.length() + " bytes");
                }
                return p.dst.clear().limit(frame.length());
            }
            if (frame.length() != p.length) {
                throw new ProtocolException("read reply " + frame.id() + " from replica " + address + " has "
                        + frame.length() + " bytes, requested " + p.length);
            }
            return p.dst;
        }

        @Override
        public void onFrame(Frame frame, ByteBuffer payload) throws ProtocolException {
            Pending p = lookup(frame);
            if (pending.remove(frame.id()) == null) {
                return; // failed by close() meanwhile
            }
            if (frame.status() == WireStatus.OK) {
                p.future.complete(null);
                return;
            }
            String message = payload == null ? "" : new String(payload.array(), 0, payload.position(), StandardCharsets.UTF_8);
            fail(p, new ReplicaDataException(frame.status(), describe(p.type, p.offset, p.length) + ": "
                    + WireStatus.name(frame.status()) + (message.isEmpty() ? "" : ": " + message)));
        }

        private Pending lookup(Frame frame) throws ProtocolException {
            if (!frame.reply()) {
                throw new ProtocolException("replica " + address + " sent a request frame (" + frame.type() + ")");
            }
            Pending p = pending.get(frame.id());
            if (p == null) {
                throw new ProtocolException("replica " + address + " replied to unknown request " + frame.id());
            }
            if (p.type != frame.type()) {
                throw new ProtocolException("replica " + address + " replied " + frame.type() + " to "
                        + p.type + " request " + frame.id());
            }
            return p;
        }

        @Override
        public void onClosed(Throwable cause) {
            pending.removeAll(p -> fail(p, closedError(p, cause)));
        }
    }

    /** Completes when every part of a split request completed, or at the first failure. */
    private static final class Parts {
        final CompletableFuture<Void> result = new CompletableFuture<>();
        private final AtomicInteger remaining;

        Parts(int count) {
            remaining = new AtomicInteger(count);
        }

        void add(CompletableFuture<Void> part) {
            part.whenComplete((v, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else if (remaining.decrementAndGet() == 0) {
                    result.complete(null);
                }
            });
        }
    }
}
