package io.longhorn.replica.server;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.wire.FrameConnection;
import io.longhorn.api.wire.IdleRelease;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

/**
 * Serves one {@link BlockTarget} over the data protocol on a TCP port and, optionally, a Unix
 * socket. Each connection gets an I/O thread; requests run on a shared pool of workers (the store
 * is thread-safe), so a slow fsync on one request does not hold up reads behind it.
 */
public final class DataServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DataServer.class);

    /**
     * Where and how to serve.
     *
     * @param tcp        address to listen on; port 0 picks a free one
     * @param unixSocket path of a Unix socket to listen on as well, or null
     * @param workers    I/O worker threads executing requests against the store
     * @param maxInflightRequests requests per connection read and not yet answered (the reply not
     *                   yet in the socket) before the server stops reading from that connection
     * @param maxInflightBytes payload bytes of those requests (written data and read replies)
     */
    public record Options(InetSocketAddress tcp, Path unixSocket, int workers, int maxInflightRequests,
                          long maxInflightBytes) {
        public Options {
            Objects.requireNonNull(tcp, "tcp");
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            if (maxInflightRequests < 1 || maxInflightBytes < 1) {
                throw new IllegalArgumentException("in-flight limits must be positive, got " + maxInflightRequests
                        + " requests and " + maxInflightBytes + " bytes");
            }
        }

        /** With the default in-flight limits: 1024 requests and 256 MiB per connection. */
        public Options(InetSocketAddress tcp, Path unixSocket, int workers) {
            this(tcp, unixSocket, workers, 1024, 256L << 20);
        }

        public Options withMaxInflight(int requests, long bytes) {
            return new Options(tcp, unixSocket, workers, requests, bytes);
        }

        /** The default worker count: enough to overlap a few blocking disk calls per core. */
        public static int defaultWorkers() {
            return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        }
    }

    /** Tasks waiting for a worker, over all connections. */
    static final int WORKER_QUEUE = 4096;
    /**
     * Threads that serve snapshot reads (backups). They are not the engine's workers, so a backup
     * reading 2 MiB blocks never keeps the engine's requests waiting for a worker; two keep the
     * disk busy while the other's reply is in the socket.
     */
    static final int SNAPSHOT_READERS = 2;

    private final BlockTarget target;
    private final Options options;
    private final BufferPool buffers = new BufferPool();
    private final IdleRelease idleRelease;
    private final Fence fence;
    private final ExecutorService workers;
    private final ThreadPoolExecutor snapshotReaders;
    private final Set<DataConnection> connections = ConcurrentHashMap.newKeySet();
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final VolumeSecret secret;
    private final AtomicLong refusals = new AtomicLong();
    private volatile boolean closed;
    private InetSocketAddress tcpAddress;

    private DataServer(BlockTarget target, Options options, VolumeSecret secret) {
        this.target = Objects.requireNonNull(target, "target");
        this.options = options;
        this.secret = secret;
        this.fence = new Fence(target);
        this.idleRelease = IdleRelease.start("data server of " + target.describe(), IdleRelease.configuredIdle(),
                buffers);
        AtomicInteger n = new AtomicInteger();
        // A bounded queue; when it is full the connection's I/O thread waits for room (and reads
        // nothing meanwhile), which holds the client back through TCP instead of queueing without end.
        this.workers = new ThreadPoolExecutor(options.workers(), options.workers(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(WORKER_QUEUE),
                r -> Thread.ofPlatform().daemon().name("lh-data-worker-" + n.incrementAndGet()).unstarted(r),
                (task, pool) -> {
                    if (pool.isShutdown()) {
                        throw new RejectedExecutionException("the data server of " + target.describe() + " is closed");
                    }
                    try {
                        pool.getQueue().put(task);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new RejectedExecutionException("interrupted waiting for a data worker", e);
                    }
                });
        AtomicInteger r = new AtomicInteger();
        // Unbounded here; each connection's in-flight limits (wantsMore) bound what it queues.
        this.snapshotReaders = new ThreadPoolExecutor(SNAPSHOT_READERS, SNAPSHOT_READERS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                t -> Thread.ofPlatform().daemon().name("lh-snapshot-reader-" + r.incrementAndGet()).unstarted(t));
        snapshotReaders.allowCoreThreadTimeOut(true);
    }

    /**
     * Binds the listeners and starts accepting.
     *
     * @throws IOException naming the address when a listener cannot bind
     */
    public static DataServer start(BlockTarget target, Options options) throws IOException {
        return start(target, options, null);
    }

    /**
     * Binds the listeners and starts accepting connections that prove they hold {@code secret}
     * (see {@link io.longhorn.api.auth.DataAuth}); with null, every client is served (a replica
     * started by hand for local tools).
     *
     * @throws IOException naming the address when a listener cannot bind
     */
    public static DataServer start(BlockTarget target, Options options, VolumeSecret secret) throws IOException {
        DataServer s = new DataServer(target, options, secret);
        try {
            s.listen();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void listen() throws IOException {
        ServerSocketChannel tcp = ServerSocketChannel.open();
        listeners.add(tcp);
        try {
            tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            tcp.bind(options.tcp(), 256);
        } catch (IOException e) {
            throw new IOException("cannot listen for data on " + options.tcp() + ": " + e.getMessage(), e);
        }
        tcpAddress = (InetSocketAddress) tcp.getLocalAddress();
        accept(tcp, "tcp://" + tcpAddress.getHostString() + ":" + tcpAddress.getPort());
        if (options.unixSocket() != null) {
            Path path = options.unixSocket();
            ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listeners.add(unix);
            try {
                // A socket file left by a killed process would make bind fail.
                Files.deleteIfExists(path);
                unix.bind(UnixDomainSocketAddress.of(path), 256);
            } catch (IOException e) {
                throw new IOException("cannot listen for data on unix socket " + path + ": " + e.getMessage(), e);
            }
            accept(unix, "unix://" + path);
        }
    }

    private void accept(ServerSocketChannel listener, String where) {
        Thread t = Thread.ofPlatform().daemon().name("lh-data-accept " + where).start(() -> {
            while (!closed) {
                SocketChannel ch;
                try {
                    ch = listener.accept();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    if (!closed) {
                        LOG.warnf("%s: accepting data connections on %s failed: %s", target.describe(), where, e.getMessage());
                    }
                    return;
                }
                serve(ch, where);
            }
        });
        acceptors.add(t);
    }

    private void serve(SocketChannel ch, String where) {
        String peer = where;
        try {
            if (ch.getRemoteAddress() instanceof InetSocketAddress remote) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                peer = remote.getHostString() + ":" + remote.getPort();
            }
            DataConnection handler = new DataConnection(this, peer);
            FrameConnection c = FrameConnection.create(ch, "client " + peer + " of " + target.describe(), handler);
            handler.attach(c);
            connections.add(handler);
            if (closed) {
                c.close();
                return;
            }
            c.start();
            LOG.debugf("%s: data connection from %s", target.describe(), peer);
        } catch (IOException e) {
            LOG.warnf("%s: cannot set up data connection from %s: %s", target.describe(), peer, e.getMessage());
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    /** The bound TCP address (the real port when 0 was asked for). */
    public InetSocketAddress tcpAddress() {
        return tcpAddress;
    }

    /** The Unix socket path, or null. */
    public Path unixSocket() {
        return options.unixSocket();
    }

    /** Payload bytes of requests read and not yet answered, over all connections. */
    public long inflightBytes() {
        long n = 0;
        for (DataConnection c : connections) {
            n += c.inflightBytes();
        }
        return n;
    }

    Options options() {
        return options;
    }

    /** The volume's secret, or null when connections need not prove one. */
    VolumeSecret secret() {
        return secret;
    }

    /** Connections refused for not proving the volume's secret, since start. */
    public long refusals() {
        return refusals.get();
    }

    /** Counts and logs a refused connection: who it claimed to be and where it came from, never the secret. */
    void refused(String peer, String why) {
        refusals.incrementAndGet();
        LOG.warnf("%s: refused the data connection from %s: %s", target.describe(), peer, why);
    }

    /** Open client connections. */
    public int connectionCount() {
        return connections.size();
    }

    BlockTarget target() {
        return target;
    }

    BufferPool buffers() {
        return buffers;
    }

    ExecutorService workers() {
        return workers;
    }

    /** Where snapshot reads run: apart from the engine's requests. */
    ExecutorService snapshotReaders() {
        return snapshotReaders;
    }

    int workerCount() {
        return options.workers();
    }

    void admit(DataConnection c, io.longhorn.api.wire.Hello hello) {
        fence.admit(c, hello, connections);
    }

    /**
     * Records an engine's generation on the store after fencing off every other engine's
     * connections (see {@link Fence}): once this returns, only {@code engine} can write.
     *
     * @throws io.longhorn.replica.store.FencedException when the generation would go down, or
     *                                                    another engine recorded it
     */
    public void recordGeneration(long generation, String engine) {
        fence.record(generation, engine, connections);
    }

    void forget(DataConnection c) {
        connections.remove(c);
    }

    /** Stops listening, closes every connection and waits briefly for running requests. */
    @Override
    public void close() {
        closed = true;
        if (idleRelease != null) {
            idleRelease.close();
        }
        for (ServerSocketChannel l : listeners) {
            try {
                l.close();
            } catch (IOException e) {
                LOG.debugf("closing data listener: %s", e.getMessage());
            }
        }
        for (DataConnection c : List.copyOf(connections)) {
            c.connection().close();
        }
        workers.shutdown();
        snapshotReaders.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS) || !snapshotReaders.awaitTermination(1, TimeUnit.SECONDS)) {
                LOG.warnf("%s: data requests still running after 10 s at shutdown", target.describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (options.unixSocket() != null) {
            try {
                Files.deleteIfExists(options.unixSocket());
            } catch (IOException e) {
                LOG.debugf("removing %s: %s", options.unixSocket(), e.getMessage());
            }
        }
    }
}
