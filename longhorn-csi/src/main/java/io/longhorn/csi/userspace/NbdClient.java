package io.longhorn.csi.userspace;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection to an NBD export: the fixed-newstyle handshake with {@code NBD_OPT_GO}, then
 * requests from any number of threads at once, each matched to its simple reply by its cookie. A
 * thread of its own reads the replies; when the connection fails, every request in flight and every
 * later one fails with the cause.
 */
final class NbdClient implements Closeable {
    private static final long NBDMAGIC = 0x4e42444d41474943L;
    private static final long IHAVEOPT = 0x49484156454F5054L;
    private static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    private static final int REQUEST_MAGIC = 0x25609513;
    private static final int SIMPLE_REPLY_MAGIC = 0x67446698;

    private static final int FLAG_FIXED_NEWSTYLE = 1;
    private static final int FLAG_NO_ZEROES = 2;
    private static final int OPT_GO = 7;
    private static final int REP_ACK = 1;
    private static final int REP_INFO = 3;
    private static final int INFO_EXPORT = 0;

    static final int TX_READ_ONLY = 1 << 1;
    static final int TX_SEND_FLUSH = 1 << 2;
    static final int TX_SEND_WRITE_ZEROES = 1 << 6;

    private static final short CMD_READ = 0;
    private static final short CMD_WRITE = 1;
    private static final short CMD_DISC = 2;
    private static final short CMD_FLUSH = 3;
    private static final short CMD_WRITE_ZEROES = 6;

    /** An error the server returned for one request: the NBD error value (an errno). */
    static final class ServerError extends IOException {
        final int errno;

        ServerError(String what, int errno) {
            super(what + " failed on the server: error " + errno);
            this.errno = errno;
        }
    }

    private record Pending(short type, ByteBuffer into, CompletableFuture<Void> done) {
    }

    private final NbdEndpoint endpoint;
    private final SocketChannel channel;
    private final long size;
    private final int flags;
    private final ReentrantLock sending = new ReentrantLock();
    private final ByteBuffer header = ByteBuffer.allocateDirect(28);
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong cookies = new AtomicLong();
    private final Thread replies;
    private volatile IOException failed;

    private NbdClient(NbdEndpoint endpoint, SocketChannel channel, long size, int flags) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.size = size;
        this.flags = flags;
        this.replies = Thread.ofPlatform().daemon().name("nbd-replies-" + endpoint.name()).unstarted(this::readReplies);
    }

    /** Connects and negotiates the export; the connection is ready for requests when this returns. */
    static NbdClient connect(NbdEndpoint endpoint) throws IOException {
        SocketChannel ch = SocketChannel.open(endpoint.address());
        try {
            ByteBuffer b = ByteBuffer.allocate(18);
            readFully(ch, b);
            if (b.getLong(0) != NBDMAGIC || b.getLong(8) != IHAVEOPT) {
                throw new IOException(endpoint + " does not speak the newstyle NBD protocol");
            }
            int serverFlags = b.getShort(16) & 0xffff;
            if ((serverFlags & FLAG_FIXED_NEWSTYLE) == 0) {
                throw new IOException(endpoint + " does not offer the fixed newstyle NBD handshake");
            }
            int clientFlags = FLAG_FIXED_NEWSTYLE | (serverFlags & FLAG_NO_ZEROES);
            byte[] name = endpoint.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer opt = ByteBuffer.allocate(4 + 16 + 4 + name.length + 2);
            opt.putInt(clientFlags).putLong(IHAVEOPT).putInt(OPT_GO).putInt(4 + name.length + 2)
                    .putInt(name.length).put(name).putShort((short) 0).flip();
            writeFully(ch, opt);
            long exportSize = -1;
            int tx = 0;
            while (true) {
                ByteBuffer h = ByteBuffer.allocate(20);
                readFully(ch, h);
                if (h.getLong(0) != OPTION_REPLY_MAGIC) {
                    throw new IOException(endpoint + " sent a malformed option reply");
                }
                int type = h.getInt(12);
                int length = h.getInt(16);
                if (length < 0 || length > 1 << 20) {
                    throw new IOException(endpoint + " sent an option reply of " + length + " bytes");
                }
                ByteBuffer data = ByteBuffer.allocate(length);
                readFully(ch, data);
                if (type == REP_ACK) {
                    break;
                }
                if (type < 0) {
                    throw new IOException(endpoint + " refused export \"" + endpoint.name() + "\" (reply 0x"
                            + Integer.toHexString(type) + "): " + new String(data.array(), StandardCharsets.UTF_8));
                }
                if (type == REP_INFO && length >= 12 && data.getShort(0) == INFO_EXPORT) {
                    exportSize = data.getLong(2);
                    tx = data.getShort(10) & 0xffff;
                }
            }
            if (exportSize < 0) {
                throw new IOException(endpoint + " did not say the size of export \"" + endpoint.name() + "\"");
            }
            NbdClient c = new NbdClient(endpoint, ch, exportSize, tx);
            c.replies.start();
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    long size() {
        return size;
    }

    boolean readOnly() {
        return (flags & TX_READ_ONLY) != 0;
    }

    boolean canFlush() {
        return (flags & TX_SEND_FLUSH) != 0;
    }

    boolean canWriteZeroes() {
        return (flags & TX_SEND_WRITE_ZEROES) != 0;
    }

    /** Reads {@code into.remaining()} bytes at {@code offset} into {@code into}. */
    void read(long offset, ByteBuffer into) throws IOException {
        call(CMD_READ, (short) 0, offset, into.remaining(), null, into);
    }

    /** Writes the remaining bytes of {@code from} at {@code offset}. */
    void write(long offset, ByteBuffer from) throws IOException {
        call(CMD_WRITE, (short) 0, offset, from.remaining(), from, null);
    }

    /** Makes every write this connection completed durable. */
    void flush() throws IOException {
        call(CMD_FLUSH, (short) 0, 0, 0, null, null);
    }

    /** Zeroes {@code length} bytes at {@code offset} (the server may unmap them). */
    void writeZeroes(long offset, int length) throws IOException {
        call(CMD_WRITE_ZEROES, (short) 0, offset, length, null, null);
    }

    private void call(short type, short cmdFlags, long offset, int length, ByteBuffer payload, ByteBuffer into)
            throws IOException {
        IOException f = failed;
        if (f != null) {
            throw new IOException("the connection to " + endpoint + " failed: " + f.getMessage(), f);
        }
        long cookie = cookies.incrementAndGet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending.put(cookie, new Pending(type, into, done));
        sending.lock();
        try {
            header.clear();
            header.putInt(REQUEST_MAGIC).putShort(cmdFlags).putShort(type).putLong(cookie).putLong(offset)
                    .putInt(length).flip();
            if (payload == null) {
                writeFully(channel, header);
            } else {
                ByteBuffer[] both = {header, payload};
                while (header.hasRemaining() || payload.hasRemaining()) {
                    channel.write(both);
                }
            }
        } catch (IOException e) {
            pending.remove(cookie);
            fail(e);
            throw e;
        } finally {
            sending.unlock();
        }
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + endpoint);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ServerError se) {
                throw new ServerError(se.getMessage(), se.errno);
            }
            throw c instanceof IOException io ? new IOException(io.getMessage(), io)
                    : new IOException(String.valueOf(c), c);
        }
    }

    private void readReplies() {
        ByteBuffer h = ByteBuffer.allocateDirect(16).order(ByteOrder.BIG_ENDIAN);
        try {
            while (true) {
                h.clear();
                readFully(channel, h);
                if (h.getInt(0) != SIMPLE_REPLY_MAGIC) {
                    throw new IOException(endpoint + " sent a reply with magic 0x" + Integer.toHexString(h.getInt(0)));
                }
                int error = h.getInt(4);
                long cookie = h.getLong(8);
                Pending p = pending.remove(cookie);
                if (p == null) {
                    throw new IOException(endpoint + " answered request " + cookie + ", which is not in flight");
                }
                if (error != 0) {
                    p.done().completeExceptionally(new ServerError(name(p.type()), error));
                    continue;
                }
                if (p.type() == CMD_READ) {
                    readFully(channel, p.into());
                }
                p.done().complete(null);
            }
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new IOException("reading replies from " + endpoint + " failed: " + e, e));
        }
    }

    private static String name(short type) {
        return switch (type) {
            case CMD_READ -> "read";
            case CMD_WRITE -> "write";
            case CMD_FLUSH -> "flush";
            case CMD_WRITE_ZEROES -> "write zeroes";
            default -> "command " + type;
        };
    }

    private void fail(IOException cause) {
        if (failed == null) {
            failed = channel.isOpen() ? cause : new IOException("closed", cause);
        }
        for (Long cookie : pending.keySet()) {
            Pending p = pending.remove(cookie);
            if (p != null) {
                p.done().completeExceptionally(failed);
            }
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    boolean failed() {
        return failed != null;
    }

    /** Says goodbye ({@code NBD_CMD_DISC}) and closes; requests still in flight fail. */
    @Override
    public void close() {
        if (failed == null && channel.isOpen()) {
            sending.lock();
            try {
                header.clear();
                header.putInt(REQUEST_MAGIC).putShort((short) 0).putShort(CMD_DISC).putLong(0).putLong(0).putInt(0)
                        .flip();
                writeFully(channel, header);
            } catch (IOException ignored) {
                // closing anyway
            } finally {
                sending.unlock();
            }
        }
        fail(new IOException("the connection to " + endpoint + " was closed"));
        try {
            replies.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("the NBD server closed the connection");
            }
        }
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
