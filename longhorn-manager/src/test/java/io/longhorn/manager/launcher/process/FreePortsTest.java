package io.longhorn.manager.launcher.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void readsTheKernelsEphemeralRange() {
        int[] range = FreePorts.ephemeralRange();
        assertNotNull(range, "/proc/sys/net/ipv4/ip_local_port_range should be readable");
        assertTrue(range[0] > 0 && range[0] <= range[1], range[0] + "-" + range[1]);
    }

    @Test
    void choosesOutsideTheEphemeralRangeWhenItCan() throws IOException {
        FreePorts ports = new FreePorts(new int[] {32768, 60999});
        assertTrue(ports.ownRange());
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = ports.next("127.0.0.1");
            assertTrue(port >= FreePorts.LOW && port < FreePorts.HIGH, "port " + port);
            assertTrue(seen.add(port), "port " + port + " handed out twice");
            assertBindable(port);
        }
    }

    @Test
    void letsTheKernelChooseWhenTheEphemeralRangeOverlaps() throws IOException {
        for (int[] ephemeral : new int[][] {{1024, 65535}, {20000, 40000}, {5000, 10000}}) {
            FreePorts ports = new FreePorts(ephemeral);
            assertFalse(ports.ownRange(), ephemeral[0] + "-" + ephemeral[1]);
            int a = ports.next("127.0.0.1");
            int b = ports.next("127.0.0.1");
            assertTrue(a != b, "two ports in a row must differ");
            assertBindable(a);
        }
        assertFalse(new FreePorts(null).ownRange(), "an unknown ephemeral range counts as overlapping");
    }

    @Test
    void skipsAPortThatIsTaken() throws IOException {
        FreePorts ports = new FreePorts(new int[] {32768, 60999});
        // Hold many ports of the range; none of them may come back.
        Set<Integer> held = new HashSet<>();
        java.util.List<ServerSocket> sockets = new java.util.ArrayList<>();
        try {
            for (int p = FreePorts.LOW; p < FreePorts.HIGH && sockets.size() < 2000; p += 7) {
                ServerSocket s = new ServerSocket();
                try {
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                    sockets.add(s);
                    held.add(p);
                } catch (IOException taken) {
                    s.close();
                }
            }
            for (int i = 0; i < 100; i++) {
                int port = ports.next("127.0.0.1");
                assertFalse(held.contains(port), "port " + port + " is held by this test");
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static void assertBindable(int port) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }
}
