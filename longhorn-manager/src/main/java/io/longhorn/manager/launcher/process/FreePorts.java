package io.longhorn.manager.launcher.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the TCP ports a replica will listen on. The launcher reports them before the replica
 * binds them (the engine starts at the same time and needs the address), so a port must stay free
 * for the JVM's start-up, a second or two.
 *
 * <p>Ports are taken from {@link #LOW}-{@link #HIGH} (the range upstream's instance manager uses)
 * when the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}, by default
 * 32768-60999) lies outside it: every outgoing connection on the node takes a port from the
 * ephemeral range, so a port chosen there can be taken by any client in that time, and one chosen
 * here only by another server binding that very port. Where the ephemeral range overlaps (a node
 * configured so), the kernel chooses (port 0), as it would anyway. Either way the port is free when
 * returned, the launcher starts the replica again on new ports on "address already in use", and
 * recently handed-out ports are not handed out again, so two replicas started together do not
 * collide.
 */
final class FreePorts {
    static final int LOW = 10000;
    static final int HIGH = 30000;
    private static final int REMEMBER = 256;
    private static final int ATTEMPTS = 200;
    private static final Path EPHEMERAL = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private final Deque<Integer> recent = new ArrayDeque<>();
    private final boolean ownRange;

    FreePorts() {
        this(ephemeralRange());
    }

    /** @param ephemeral the kernel's ephemeral range, {low, high}, or null when unknown */
    FreePorts(int[] ephemeral) {
        this.ownRange = ephemeral != null && (ephemeral[1] < LOW || ephemeral[0] >= HIGH);
    }

    /** Whether ports come from {@link #LOW}-{@link #HIGH} (else the kernel chooses them). */
    boolean ownRange() {
        return ownRange;
    }

    synchronized int next(String host) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int candidate = ownRange ? ThreadLocalRandom.current().nextInt(LOW, HIGH) : 0;
            if (ownRange && recent.contains(candidate)) {
                continue;
            }
            int port;
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(address, candidate));
                port = s.getLocalPort();
            } catch (IOException e) {
                if (!ownRange) {
                    throw new UncheckedIOException("cannot find a free port on " + host + ": " + e.getMessage(), e);
                }
                last = e; // taken: try another
                continue;
            }
            if (!recent.contains(port)) {
                recent.addLast(port);
                if (recent.size() > REMEMBER) {
                    recent.removeFirst();
                }
                return port;
            }
        }
        throw new IllegalStateException("no free port on " + host + (ownRange ? " in " + LOW + "-" + (HIGH - 1) : "")
                + (last != null ? ": " + last.getMessage() : ""));
    }

    /** The kernel's ephemeral port range, or null when it cannot be read. */
    static int[] ephemeralRange() {
        try {
            // One read of the whole line: a procfs sysctl file read a byte at a time ends after the first.
            String[] f = Files.readAllLines(EPHEMERAL).get(0).trim().split("\\s+");
            return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
