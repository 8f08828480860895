package io.longhorn.manager.launcher.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Finds free TCP ports by binding port 0. The port is free when returned but could be taken before
 * the instance binds it; the launcher retries on "address already in use". Recently handed-out
 * ports are not handed out again, so two instances started together do not collide.
 */
final class FreePorts {
    private static final int REMEMBER = 256;
    private final Deque<Integer> recent = new ArrayDeque<>();

    synchronized int next(String host) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + host + ": " + e.getMessage(), e);
            }
            if (!recent.contains(port)) {
                recent.addLast(port);
                if (recent.size() > REMEMBER) {
                    recent.removeFirst();
                }
                return port;
            }
        }
        throw new IllegalStateException("no free port on " + host);
    }
}
