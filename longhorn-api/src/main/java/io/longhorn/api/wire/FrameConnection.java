package io.longhorn.api.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection of the data protocol, shared by the replica's server and the engine's client: a
 * non-blocking socket, one I/O thread that reads and decodes frames, and an outbound queue that
 * any thread may add frames to.
 *
 * <p>Sending does not hand frames to another thread: the sender that finds the socket idle writes
 * every queued frame in one gathering write (headers and small payloads packed into one staging
 * buffer), so under load many frames leave in one system call, and a lone frame leaves at once.
 * Only when the socket buffer is full does the rest wait for the I/O thread, which finishes it
 * when the socket becomes writable. A sender therefore never blocks on a slow or hung peer; the
 * peer's owner notices by timeouts. Frames sent from the I/O thread itself (callbacks of replies)
 * are held until the thread has decoded everything it read, then leave together.
 *
 * <p>The socket must not be used by anyone else. All handler callbacks except
 * {@link Handler#onClosed} run on the I/O thread and must not block.
 */
public final class FrameConnection implements AutoCloseable {

    /** Receives what arrives on a connection. */
    public interface Handler {
        /**
         * Where the payload of a frame whose header just arrived goes: a buffer with exactly
         * {@link Frame#payloadLength()} bytes remaining. Called only when that length is not 0.
         *
         * @throws ProtocolException when the frame makes no sense here; the connection closes
         */
        ByteBuffer payloadBuffer(Frame frame) throws ProtocolException;

        /**
         * A whole frame arrived. {@code payload} is the buffer {@link #payloadBuffer} returned,
         * now filled (its position advanced to its limit), or null when there is no payload.
         *
         * @throws ProtocolException when the frame makes no sense here; the connection closes
         */
        void onFrame(Frame frame, ByteBuffer payload) throws ProtocolException;

        /**
         * Everything read so far has been decoded; called before the I/O thread waits for more.
         * A handler that collects frames can hand them on here, as one batch.
         */
        default void onReadBatchEnd() {
        }

        /**
         * Whether the I/O thread may decode another frame. While false, frames stay unread (in
         * the socket, so the peer is held back by TCP) until {@link #resumeReading()} is called:
         * back-pressure for a peer that sends faster than it takes replies.
         */
        default boolean wantsMore() {
            return true;
        }

        /**
         * The connection closed, exactly once. Runs on the I/O thread once it stopped reading (or
         * on the closing thread when the I/O thread never started), so that buffers given out by
         * {@link #payloadBuffer} are no longer written when the handler hands them back here.
         *
         * @param cause null when {@link #close()} was called, else why it closed
         */
        void onClosed(Throwable cause);
    }

    private static final Logger LOG = Logger.getLogger(FrameConnection.class.getName());

    /** Headers and payloads up to this size are copied into the staging buffer. */
    private static final int INLINE_PAYLOAD_MAX = 64 << 10;
    private static final int STAGING_SIZE = 512 << 10;
    /**
     * Small enough that a big payload is mostly read straight into its own buffer (only what
     * arrived together with its header is copied), big enough to take dozens of 4 KiB frames in
     * one read.
     */
    private static final int INBOUND_SIZE = 128 << 10;
    /** A payload still missing at least this much is read straight into its buffer. */
    private static final int DIRECT_READ_MIN = 64 << 10;
    private static final int MAX_GATHER = 128;
    /** Reads per readiness event before queued writes get a turn. */
    private static final int READS_PER_EVENT = 16;

    private record Outbound(Frame frame, ByteBuffer payload, Runnable written) {
    }

    private final SocketChannel channel;
    private final String name;
    private final Handler handler;
    private final Selector selector;
    private final SelectionKey key;
    private final Thread ioThread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean closedNotified = new AtomicBoolean();
    private volatile Throwable closeCause;

    private final ConcurrentLinkedQueue<Outbound> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    // Owned by the holder of writeLock. Both buffers are resident only as far as they were used
    // (an idle connection's are a few KiB, not 640).
    private final ByteBuffer staging = UntouchedMemory.allocate(STAGING_SIZE);
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private final List<Outbound> batch = new ArrayList<>();
    private int gatherCount;
    private int gatherIndex;
    private int segmentStart;
    private boolean stalled;
    /** Reading stopped because the handler wants no more frames; I/O thread writes, writers read under writeLock. */
    private volatile boolean readHeld;
    /** Whether the interest set last written by the I/O thread left out OP_READ; I/O thread only. */
    private boolean interestHeld;

    // Owned by the I/O thread.
    private final ByteBuffer inbound = UntouchedMemory.allocate(INBOUND_SIZE).flip();
    private Frame current;
    private ByteBuffer currentPayload;
    private boolean flushAfterRead;

    /**
     * Takes over a connected socket. Nothing is read until {@link #start()}, so the handler can
     * learn its connection first.
     *
     * @param name    names the peer in thread names and log lines, e.g. "replica tcp://10.0.0.3:9503"
     */
    public static FrameConnection create(SocketChannel channel, String name, Handler handler) throws IOException {
        return new FrameConnection(channel, name, handler);
    }

    /** Starts the I/O thread. */
    public FrameConnection start() {
        ioThread.start();
        return this;
    }

    private FrameConnection(SocketChannel channel, String name, Handler handler) throws IOException {
        this.channel = Objects.requireNonNull(channel);
        this.name = name;
        this.handler = Objects.requireNonNull(handler);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, SelectionKey.OP_READ);
        this.ioThread = Thread.ofPlatform().daemon().name("lh-io " + name).unstarted(this::run);
    }

    public String name() {
        return name;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /** Whether the calling thread is this connection's I/O thread. */
    public boolean inIoThread() {
        return Thread.currentThread() == ioThread;
    }

    /**
     * Queues a frame. {@code payload}'s remaining bytes follow the header; the caller keeps them
     * unchanged until {@code written} runs (or forever if the connection closes first).
     * <p>Sent from a thread with a {@link SendBatch} open, the frame is written when the batch
     * closes (or earlier, with frames other threads send).
     *
     * @param written runs once the frame is in the socket; may be null
     * @return false when the connection is closed (nothing was queued)
     */
    public boolean send(Frame frame, ByteBuffer payload, Runnable written) {
        if (closed.get()) {
            return false;
        }
        queue.add(new Outbound(frame, payload, written));
        if (inIoThread()) {
            flushAfterRead = true;
        } else if (!SendBatch.hold(this)) {
            writeQueued();
        }
        return true;
    }

    /**
     * Queues a frame without writing it yet; a later {@link #flush()} (or any send) writes it
     * together with others. For a thread that produces several frames in a row.
     *
     * @return false when the connection is closed (nothing was queued)
     */
    public boolean enqueue(Frame frame, ByteBuffer payload, Runnable written) {
        if (closed.get()) {
            return false;
        }
        queue.add(new Outbound(frame, payload, written));
        if (inIoThread()) {
            flushAfterRead = true;
        }
        return true;
    }

    /**
     * Writes the queued frames now, unless another thread is already writing them. Never blocks:
     * what the socket does not take now the I/O thread writes later.
     */
    public void flush() {
        if (inIoThread()) {
            flushAfterRead = false;
        }
        writeQueued();
    }

    /** The handler wants frames again after {@link Handler#wantsMore()} said no; any thread. */
    public void resumeReading() {
        if (readHeld) {
            selector.wakeup();
        }
    }

    /**
     * On the I/O thread: stops or resumes reading as the handler wants.
     *
     * @return whether reading goes on
     */
    private boolean updateReadInterest() {
        boolean hold = !handler.wantsMore();
        if (hold && !readHeld) {
            readHeld = true;
            // Check again after publishing the flag, so that a resumeReading in between is not missed.
            hold = !handler.wantsMore();
        }
        if (hold != readHeld || hold != interestHeld) {
            readHeld = hold;
            interestHeld = hold;
            writeLock.lock();
            try {
                if (key.isValid()) {
                    key.interestOps((hold ? 0 : SelectionKey.OP_READ) | (stalled ? SelectionKey.OP_WRITE : 0));
                }
            } finally {
                writeLock.unlock();
            }
        }
        return !hold;
    }

    /** Closes the socket; the handler's onClosed runs once. */
    @Override
    public void close() {
        closeWith(null);
    }

    private void closeWith(Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeCause = cause;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing connection to " + name, e);
        }
        selector.wakeup();
        // The I/O thread may be copying into a payload buffer right now, and onClosed hands the
        // buffers of unanswered requests back to their owners: the I/O thread tells the handler
        // itself once it left its loop. Only when it never started does the closing thread.
        if (inIoThread() || ioThread.getState() == Thread.State.NEW) {
            notifyClosed();
        }
    }

    private void notifyClosed() {
        if (!closedNotified.compareAndSet(false, true)) {
            return;
        }
        try {
            handler.onClosed(closeCause);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "close handler of connection " + name + " failed", e);
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes queued frames unless another thread is doing so (it will pick them up). */
    private void writeQueued() {
        while (true) {
            if (!writeLock.tryLock()) {
                return;
            }
            try {
                if (stalled || closed.get()) {
                    return;
                }
                writeOut();
                if (stalled) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                closeWith(e);
                return;
            } finally {
                writeLock.unlock();
            }
            // A sender may have queued a frame while we held the lock and given up on tryLock.
            if (queue.isEmpty()) {
                return;
            }
        }
    }

    /** With writeLock held: writes until the queue is empty or the socket is full. */
    private void writeOut() throws IOException {
        while (true) {
            if (gatherIndex == gatherCount && !fillBatch()) {
                return;
            }
            long n;
            do {
                n = channel.write(gather, gatherIndex, gatherCount - gatherIndex);
                while (gatherIndex < gatherCount && !gather[gatherIndex].hasRemaining()) {
                    gather[gatherIndex++] = null;
                }
            } while (n > 0 && gatherIndex < gatherCount);
            if (gatherIndex < gatherCount) {
                stalled = true;
                key.interestOps((readHeld ? 0 : SelectionKey.OP_READ) | SelectionKey.OP_WRITE);
                selector.wakeup();
                return;
            }
            finishBatch();
        }
    }

    /** Moves queued frames into the gather list; false when nothing is queued. */
    private boolean fillBatch() {
        staging.clear();
        gatherCount = 0;
        gatherIndex = 0;
        segmentStart = 0;
        Outbound o;
        while (gatherCount < MAX_GATHER - 2 && (o = queue.peek()) != null) {
            ByteBuffer p = o.payload;
            int plen = p == null ? 0 : p.remaining();
            boolean inline = plen <= INLINE_PAYLOAD_MAX;
            if (staging.remaining() < Frame.HEADER_SIZE + (inline ? plen : 0)) {
                break;
            }
            queue.poll();
            o.frame.encode(staging);
            if (plen > 0) {
                if (inline) {
                    staging.put(staging.position(), p, p.position(), plen);
                    staging.position(staging.position() + plen);
                } else {
                    closeSegment();
                    gather[gatherCount++] = p.duplicate();
                }
            }
            batch.add(o);
        }
        closeSegment();
        return gatherCount > 0;
    }

    private void closeSegment() {
        int end = staging.position();
        if (end > segmentStart) {
            gather[gatherCount++] = staging.slice(segmentStart, end - segmentStart);
            segmentStart = end;
        }
    }

    private void finishBatch() {
        gatherCount = 0;
        gatherIndex = 0;
        for (Outbound o : batch) {
            if (o.written != null) {
                try {
                    o.written.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "after-write callback on connection " + name + " failed", e);
                }
            }
        }
        batch.clear();
    }

    /** On the I/O thread when the socket became writable again after a stall. */
    private void onWritable() throws IOException {
        if (!writeLock.tryLock()) {
            return; // OP_WRITE is level-triggered: we come back at once
        }
        try {
            stalled = false;
            writeOut();
            if (!stalled) {
                key.interestOps(readHeld ? 0 : SelectionKey.OP_READ);
            }
        } finally {
            writeLock.unlock();
        }
        if (!stalled && !queue.isEmpty()) {
            writeQueued();
        }
    }

    // ---------------------------------------------------------------- reading

    private void run() {
        try {
            while (!closed.get()) {
                boolean reading = updateReadInterest();
                if (reading && currentPayload == null && inbound.remaining() >= Frame.HEADER_SIZE) {
                    // Frames held back while the handler wanted no more.
                    parse();
                    handler.onReadBatchEnd();
                    if (flushAfterRead) {
                        flushAfterRead = false;
                        writeQueued();
                    }
                    continue;
                }
                selector.select();
                selector.selectedKeys().clear();
                if (closed.get() || !key.isValid()) {
                    break;
                }
                int ready = key.readyOps();
                if ((ready & SelectionKey.OP_READ) != 0 && !readHeld) {
                    onReadable();
                }
                if ((ready & SelectionKey.OP_WRITE) != 0 && key.isValid()) {
                    onWritable();
                }
                if (flushAfterRead) {
                    flushAfterRead = false;
                    writeQueued();
                }
            }
        } catch (ClosedChannelException e) {
            closeWith(closed.get() ? null : e);
        } catch (Throwable t) {
            closeWith(t);
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "closing selector of " + name, e);
            }
            closeWith(null); // when the loop ended without an error (a no-op when already closed)
            notifyClosed();
        }
    }

    private void onReadable() throws IOException, ProtocolException {
        for (int i = 0; i < READS_PER_EVENT && !closed.get() && handler.wantsMore(); i++) {
            int n;
            boolean full;
            ByteBuffer dst = currentPayload;
            if (dst != null && !inbound.hasRemaining() && dst.remaining() >= DIRECT_READ_MIN) {
                // A big payload: skip the copy through the inbound buffer.
                int want = dst.remaining();
                n = channel.read(dst);
                full = n == want;
                if (!dst.hasRemaining()) {
                    deliverPayload();
                }
            } else {
                inbound.compact();
                int space = inbound.remaining();
                try {
                    n = channel.read(inbound);
                } finally {
                    inbound.flip();
                }
                full = n == space;
                if (n > 0) {
                    parse();
                }
            }
            if (n < 0) {
                throw new PeerClosedException("connection closed by " + name);
            }
            if (!full) {
                break; // the socket is drained; a short read means no more bytes now
            }
        }
        handler.onReadBatchEnd();
    }

    private void parse() throws ProtocolException {
        while (true) {
            ByteBuffer dst = currentPayload;
            if (dst != null) {
                int k = Math.min(inbound.remaining(), dst.remaining());
                dst.put(dst.position(), inbound, inbound.position(), k);
                dst.position(dst.position() + k);
                inbound.position(inbound.position() + k);
                if (dst.hasRemaining()) {
                    return;
                }
                deliverPayload();
            }
            if (inbound.remaining() < Frame.HEADER_SIZE || !handler.wantsMore()) {
                return;
            }
            Frame f = Frame.decode(inbound);
            int plen = f.payloadLength();
            if (plen == 0) {
                handler.onFrame(f, null);
                continue;
            }
            ByteBuffer buf = handler.payloadBuffer(f);
            if (buf == null || buf.remaining() != plen) {
                throw new IllegalStateException("payload buffer for frame " + f.id() + " has "
                        + (buf == null ? "no" : buf.remaining()) + " bytes, expected " + plen);
            }
            current = f;
            currentPayload = buf;
        }
    }

    private void deliverPayload() throws ProtocolException {
        Frame f = current;
        ByteBuffer p = currentPayload;
        current = null;
        currentPayload = null;
        handler.onFrame(f, p);
    }

    /** The peer closed its end. */
    public static final class PeerClosedException extends IOException {
        public PeerClosedException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "connection to " + name;
    }
}
