package io.longhorn.api.types;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * A service address: {@code tcp://host:port}, {@code host:port}, or {@code unix:///path/to.sock}.
 *
 * @param host  host name or IP for TCP, null for a Unix socket
 * @param port  TCP port, 0 for a Unix socket
 * @param path  socket path for a Unix socket, null for TCP
 */
public record Address(String host, int port, Path path) {

    public static Address tcp(String host, int port) {
        return new Address(host, port, null);
    }

    public static Address unix(Path path) {
        return new Address(null, 0, path);
    }

    /**
     * Parses an address.
     *
     * @throws IllegalArgumentException naming the value when it is malformed
     */
    public static Address parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("address is empty");
        }
        String s = text.trim();
        if (s.startsWith("unix://")) {
            String p = s.substring("unix://".length());
            if (p.isEmpty()) {
                throw new IllegalArgumentException("invalid address \"" + text + "\": no socket path");
            }
            return unix(Path.of(p));
        }
        if (s.startsWith("tcp://")) {
            s = s.substring("tcp://".length());
        }
        if (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("invalid address \"" + text + "\": expected host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid address \"" + text + "\": port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("invalid address \"" + text + "\": port out of range");
        }
        return tcp(host, port);
    }

    public boolean isUnix() {
        return path != null;
    }

    public SocketAddress socketAddress() {
        return isUnix() ? UnixDomainSocketAddress.of(path) : new InetSocketAddress(host, port);
    }

    /** host:port, for gRPC targets and logs. */
    public String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return isUnix() ? "unix://" + path : "tcp://" + hostPort();
    }
}
