package io.longhorn.engine.frontend.nbd;

import io.longhorn.api.wire.IdleRelease;
import io.longhorn.engine.frontend.AligningBlockDevice;
import io.longhorn.engine.frontend.BlockDevice;
import io.longhorn.engine.frontend.Frontend;
import io.longhorn.engine.frontend.IoStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Serves one {@link BlockDevice} as one NBD export (named after the volume; the default export ""
 * is the same) over TCP and/or a Unix socket, to any number of connections at once.
 *
 * <p>The device is wrapped in an {@link AligningBlockDevice}, so clients may send requests of any
 * alignment (minimum block size 1) while the device sees only 4096-aligned ones; give the server
 * the controller's device itself, not an already wrapped one.
 *
 * <p>Each connection has one platform thread that reads and parses requests; replies are written by
 * the threads that complete them (see {@link NbdConnection}). Accepting runs on one thread per
 * listening socket.
 */
public final class NbdServer implements Frontend {

    private static final Logger LOG = Logger.getLogger(NbdServer.class);
    private static final long CLOSE_WAIT_SECONDS = 30;

    private final BlockDevice device;
    private final NbdServerOptions options;
    private final BufferPool pool;
    private IdleRelease idleRelease;
    private final IoStats stats;
    private final LongAdder connectionsAccepted = new LongAdder();
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionIds = new AtomicInteger();
    /** Payload bytes in flight over all connections; see {@link NbdServerOptions#maxTotalInflightBytes()}. */
    private final java.util.concurrent.atomic.AtomicLong inflightBytes = new java.util.concurrent.atomic.AtomicLong();
    /** Set while some connection waits for the total to drop; the next release wakes them. */
    private volatile boolean someoneWaits;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private volatile boolean started;
    private volatile boolean closed;
    private InetSocketAddress tcpAddress;

    /** A server with counters of its own (see {@link #stats()}). */
    public NbdServer(BlockDevice device, NbdServerOptions options) {
        this(device, options, new IoStats());
    }

    /**
     * A server that counts its requests in {@code stats}: the volume's counters, which outlive this
     * server when the frontend is stopped and started again.
     */
    public NbdServer(BlockDevice device, NbdServerOptions options, IoStats stats) {
        if (stats == null) {
            throw new IllegalArgumentException("I/O counters of NBD export \"" + options.exportName() + "\" are null");
        }
        this.stats = stats;
        if (device == null) {
            throw new IllegalArgumentException("block device of NBD export \"" + options.exportName() + "\" is null");
        }
        this.device = device instanceof AligningBlockDevice ? device : new AligningBlockDevice(device);
        this.options = options;
        this.pool = new BufferPool(NbdProtocol.MAX_PAYLOAD, options.retainedBufferBytes());
    }

    @Override
    public synchronized void start() throws IOException {
        if (started) {
            throw new IllegalStateException("NBD server of volume " + options.exportName() + " already started");
        }
        if (closed) {
            throw new IllegalStateException("NBD server of volume " + options.exportName() + " is closed");
        }
        started = true;
        idleRelease = IdleRelease.start("NBD export of volume " + options.exportName(), IdleRelease.configuredIdle(),
                pool);
        try {
            if (options.tcp() != null) {
                ServerSocketChannel tcp = ServerSocketChannel.open();
                listeners.add(tcp);
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                try {
                    tcp.bind(options.tcp(), 128);
                } catch (IOException e) {
                    throw new IOException("cannot listen for NBD on " + options.tcp() + " for volume "
                            + options.exportName() + ": " + e.getMessage(), e);
                }
                tcpAddress = (InetSocketAddress) tcp.getLocalAddress();
                startAcceptor(tcp, "tcp " + tcpAddress);
            }
            if (options.unixSocket() != null) {
                removeStaleSocket(options.unixSocket());
                ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                listeners.add(unix);
                try {
                    unix.bind(UnixDomainSocketAddress.of(options.unixSocket()), 128);
                    // Only the socket's owner may connect: NBD itself has no authentication.
                    java.nio.file.Files.setPosixFilePermissions(options.unixSocket(),
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                } catch (IOException e) {
                    throw new IOException("cannot listen for NBD on unix socket " + options.unixSocket()
                            + " for volume " + options.exportName() + ": " + e.getMessage(), e);
                }
                startAcceptor(unix, "unix " + options.unixSocket());
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.infof("volume %s: NBD export serving at %s (multi-conn %s)", options.exportName(), endpoint(),
                options.multiConn());
    }

    /**
     * {@code nbd://host:port/volume}, or {@code nbd+unix:///volume?socket=path} when only a Unix
     * socket is served.
     */
    @Override
    public String endpoint() {
        String name = URLEncoder.encode(options.exportName(), StandardCharsets.UTF_8).replace("+", "%20");
        if (tcpAddress != null) {
            String host = tcpAddress.getAddress().getHostAddress();
            if (host.contains(":")) {
                host = "[" + host + "]";
            }
            return "nbd://" + host + ":" + tcpAddress.getPort() + "/" + name;
        }
        if (options.unixSocket() != null) {
            return "nbd+unix:///" + name + "?socket=" + options.unixSocket();
        }
        return "";
    }

    /** The bound TCP address (with the real port when 0 was asked for), or null. */
    public InetSocketAddress tcpAddress() {
        return tcpAddress;
    }

    /** Requests, bytes, errors and latency per command; unknown commands are not counted. */
    public IoStats stats() {
        return stats;
    }

    /** Connections accepted since the server started. */
    public long connectionsAccepted() {
        return connectionsAccepted.sum();
    }

    /** Connections currently open (handshaking or transmitting). */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Stops accepting, lets every connection finish the requests it has in flight (new requests are
     * not read), then closes them; connections still busy after 30 s are cut.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (idleRelease != null) {
                idleRelease.close();
            }
        }
        for (ServerSocketChannel l : listeners) {
            try {
                l.close();
            } catch (IOException e) {
                LOG.debugf("volume %s: closing NBD listener: %s", options.exportName(), e);
            }
        }
        if (options.unixSocket() != null && started) {
            try {
                removeStaleSocket(options.unixSocket());
            } catch (IOException e) {
                LOG.warnf("volume %s: cannot remove NBD socket %s: %s", options.exportName(), options.unixSocket(), e);
            }
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (NbdConnection c : connections) {
            c.shutdown();
            done.add(c.finished());
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("volume %s: NBD connections still busy after %d s, cutting them", options.exportName(),
                    CLOSE_WAIT_SECONDS);
            connections.forEach(NbdConnection::abort);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.forEach(NbdConnection::abort);
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.debugf("volume %s: NBD connection ended with %s", options.exportName(), e.getCause());
        }
        LOG.infof("volume %s: NBD export stopped (%s)", options.exportName(), stats);
    }

    BlockDevice device() {
        return device;
    }

    /** Payload bytes in flight over all connections. */
    public long inflightBytes() {
        return inflightBytes.get();
    }

    /** Whether a connection may read a request although others already hold this much in flight. */
    boolean belowTotalLimit() {
        if (inflightBytes.get() < options.maxTotalInflightBytes()) {
            return true;
        }
        someoneWaits = true;
        // Check again after publishing the flag, so that a release in between is not missed.
        return inflightBytes.get() < options.maxTotalInflightBytes();
    }

    void reserved(long bytes) {
        inflightBytes.addAndGet(bytes);
    }

    void released(long bytes) {
        if (inflightBytes.addAndGet(-bytes) < options.maxTotalInflightBytes() && someoneWaits) {
            someoneWaits = false;
            connections.forEach(NbdConnection::wakeIfPaused);
        }
    }

    BufferPool pool() {
        return pool;
    }

    NbdServerOptions options() {
        return options;
    }

    void connectionClosed(NbdConnection c) {
        connections.remove(c);
        LOG.debugf("volume %s: NBD connection from %s closed, %d left", options.exportName(), c.peer(),
                connections.size());
    }

    private void startAcceptor(ServerSocketChannel listener, String what) {
        Thread t = new Thread(() -> accept(listener, what), "nbd-" + options.exportName() + "-accept");
        t.setDaemon(true);
        t.start();
    }

    private void accept(ServerSocketChannel listener, String what) {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.errorf("volume %s: accepting NBD connections on %s failed, no longer listening: %s",
                            options.exportName(), what, e);
                }
                return;
            }
            String peer = peerName(ch);
            if (connections.size() >= options.maxConnections()) {
                LOG.warnf("volume %s: refusing NBD connection from %s: already %d connections, the most allowed",
                        options.exportName(), peer, options.maxConnections());
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // refused anyway
                }
                continue;
            }
            try {
                if (ch.getRemoteAddress() instanceof InetSocketAddress) {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                NbdConnection c = new NbdConnection(this, new ChannelIo(ch), peer);
                connections.add(c);
                if (closed) {
                    c.shutdown();
                }
                connectionsAccepted.increment();
                Thread t = new Thread(c, "nbd-" + options.exportName() + "-" + connectionIds.incrementAndGet());
                t.setDaemon(true);
                t.start();
                LOG.debugf("volume %s: NBD connection from %s", options.exportName(), peer);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("volume %s: cannot set up NBD connection from %s: %s", options.exportName(), peer, e);
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    private static String peerName(SocketChannel ch) {
        try {
            Object a = ch.getRemoteAddress();
            return a == null || a.toString().isEmpty() ? "unix socket" : a.toString();
        } catch (IOException e) {
            return "unknown peer";
        }
    }

    /** Removes a leftover socket file from an earlier run; refuses to remove anything else. */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isOther()) {
            throw new IOException("NBD socket path " + path + " exists and is not a socket");
        }
        Files.delete(path);
    }
}
