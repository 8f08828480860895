package io.longhorn.engine.frontend.nbd;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How an {@link NbdServer} serves its export.
 *
 * @param exportName          the export name, the volume name; the default export "" maps to it too
 * @param tcp                 TCP address to listen on (port 0 picks a free one), or null
 * @param unixSocket          Unix socket path to listen on, or null
 * @param multiConn           advertise NBD_FLAG_CAN_MULTI_CONN (see the README for why it is safe)
 * @param maxInflightRequests requests per connection read ahead of their replies before the server
 *                            stops reading from that connection
 * @param maxInflightBytes    payload bytes per connection in flight before it stops reading
 * @param handshakeTimeout    a client that does not finish the handshake in time is disconnected
 * @param retainedBufferBytes how much payload buffer memory the pool keeps for reuse
 * @param maxConnections      connections to the export at once; more are closed as soon as accepted
 * @param maxTotalInflightBytes payload bytes in flight over all connections; above it a connection
 *                            reads a new request only when it has none in flight, so that one or a
 *                            few clients that flood requests (and never read replies) cannot take
 *                            all the memory, and every other client still gets one request through
 */
public record NbdServerOptions(String exportName, InetSocketAddress tcp, Path unixSocket, boolean multiConn,
                               int maxInflightRequests, long maxInflightBytes, Duration handshakeTimeout,
                               long retainedBufferBytes, int maxConnections, long maxTotalInflightBytes) {

    public NbdServerOptions {
        if (exportName == null) {
            throw new IllegalArgumentException("NBD export name is null");
        }
        if (exportName.getBytes(StandardCharsets.UTF_8).length > 4096) {
            throw new IllegalArgumentException("NBD export name \"" + exportName + "\" is longer than 4096 bytes");
        }
        if (tcp == null && unixSocket == null) {
            throw new IllegalArgumentException("NBD export \"" + exportName + "\" has neither a TCP address nor a Unix socket");
        }
        if (maxInflightRequests < 1) {
            throw new IllegalArgumentException("maxInflightRequests must be at least 1, got " + maxInflightRequests);
        }
        if (maxInflightBytes < NbdProtocol.MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxInflightBytes must be at least the maximum payload "
                    + NbdProtocol.MAX_PAYLOAD + ", got " + maxInflightBytes);
        }
        if (handshakeTimeout == null || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive, got " + handshakeTimeout);
        }
        if (retainedBufferBytes < 0) {
            throw new IllegalArgumentException("retainedBufferBytes must not be negative, got " + retainedBufferBytes);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
        }
        if (maxTotalInflightBytes < NbdProtocol.MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxTotalInflightBytes must be at least the maximum payload "
                    + NbdProtocol.MAX_PAYLOAD + ", got " + maxTotalInflightBytes);
        }
    }

    /**
     * Defaults: multi-conn on, 256 requests / 128 MiB in flight per connection, 30 s handshake,
     * 32 MiB of buffers kept, 64 connections, 256 MiB in flight over all connections.
     */
    public static NbdServerOptions of(String exportName, InetSocketAddress tcp, Path unixSocket) {
        return new NbdServerOptions(exportName, tcp, unixSocket, true, 256, 128L << 20,
                Duration.ofSeconds(30), 32L << 20, 64, 256L << 20);
    }

    public NbdServerOptions withMultiConn(boolean value) {
        return new NbdServerOptions(exportName, tcp, unixSocket, value, maxInflightRequests, maxInflightBytes,
                handshakeTimeout, retainedBufferBytes, maxConnections, maxTotalInflightBytes);
    }

    public NbdServerOptions withHandshakeTimeout(Duration value) {
        return new NbdServerOptions(exportName, tcp, unixSocket, multiConn, maxInflightRequests, maxInflightBytes,
                value, retainedBufferBytes, maxConnections, maxTotalInflightBytes);
    }

    public NbdServerOptions withMaxInflight(int requests, long bytes) {
        return new NbdServerOptions(exportName, tcp, unixSocket, multiConn, requests, bytes, handshakeTimeout,
                retainedBufferBytes, maxConnections, maxTotalInflightBytes);
    }

    public NbdServerOptions withServerLimits(int connections, long totalInflightBytes) {
        return new NbdServerOptions(exportName, tcp, unixSocket, multiConn, maxInflightRequests, maxInflightBytes,
                handshakeTimeout, retainedBufferBytes, connections, totalInflightBytes);
    }
}
