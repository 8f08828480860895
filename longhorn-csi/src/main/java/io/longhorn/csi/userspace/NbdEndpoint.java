package io.longhorn.csi.userspace;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * An engine's NBD export as its URI names it: {@code nbd://host[:port]/name} over TCP (port 10809
 * when none is given) or {@code nbd+unix:///name?socket=/path} over a Unix socket.
 *
 * @param host   the TCP host, or null for a Unix socket
 * @param port   the TCP port, or 0 for a Unix socket
 * @param socket the Unix socket's path, or null over TCP
 * @param name   the export's name (may be empty)
 */
public record NbdEndpoint(String host, int port, Path socket, String name) {
    public static final int DEFAULT_PORT = 10809;

    /** Parses an endpoint URI; {@link IllegalArgumentException} saying what is wrong otherwise. */
    public static NbdEndpoint parse(String endpoint) {
        URI u;
        try {
            u = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the endpoint is not a URI: " + endpoint);
        }
        String name = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
        if ("nbd".equals(u.getScheme()) && u.getHost() != null) {
            return new NbdEndpoint(u.getHost(), u.getPort() > 0 ? u.getPort() : DEFAULT_PORT, null, name);
        }
        String query = u.getQuery() == null ? "" : u.getQuery();
        String socket = query.startsWith("socket=") ? query.substring("socket=".length()) : "";
        if ("nbd+unix".equals(u.getScheme()) && socket.startsWith("/") && !socket.contains("&")) {
            return new NbdEndpoint(null, 0, Path.of(socket), name);
        }
        throw new IllegalArgumentException("an NBD endpoint is nbd://host:port/name or "
                + "nbd+unix:///name?socket=/path, not " + endpoint);
    }

    public boolean unix() {
        return socket != null;
    }

    public SocketAddress address() {
        return unix() ? UnixDomainSocketAddress.of(socket) : new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return unix() ? "nbd+unix:///" + name + "?socket=" + socket : "nbd://" + host + ":" + port + "/" + name;
    }
}
