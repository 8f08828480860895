package io.longhorn.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReplicaOptionsTest {

    @Test
    void dataPortDefaultsToTheControlPortPlusOne() throws Exception {
        ReplicaOptions o = ReplicaOptions.parse("--listen", "10.0.0.3:9502", "--size", "10Gi", "/data/r1");
        assertEquals("10.0.0.3", o.listen().host());
        assertEquals(9503, o.dataListen().port());
        assertEquals("10.0.0.3", o.dataListen().host());
        assertEquals(10L << 30, o.size());
        assertEquals(Path.of("/data/r1"), o.dir());
        assertNull(o.dataSocket());
    }

    @Test
    void theSecretFileIsOptional() throws Exception {
        assertEquals(Path.of("/run/s/vol1.secret"), ReplicaOptions.parse("--secret-file", "/run/s/vol1.secret", "d")
                .secretFile());
        assertEquals(null, ReplicaOptions.parse("d").secretFile());
        assertThrows(ReplicaOptions.UsageException.class, () -> ReplicaOptions.parse("--secret-file", "", "d"));
    }

    @Test
    void controlPortZeroMeansAFreeDataPortToo() throws Exception {
        ReplicaOptions o = ReplicaOptions.parse("--listen=127.0.0.1:0", "--data-socket", "/run/r.sock", "d");
        assertEquals(0, o.dataListen().port());
        assertEquals(Path.of("/run/r.sock"), o.dataSocket());
        assertEquals(0, o.size());
    }

    @Test
    void anExplicitDataAddressWins() throws Exception {
        ReplicaOptions o = ReplicaOptions.parse("--listen", "0.0.0.0:9502", "--data-listen", "tcp://127.0.0.1:7000", "d");
        assertEquals(7000, o.dataListen().port());
        assertEquals("127.0.0.1", o.dataListen().host());
    }

    @Test
    void badArgumentsNameTheOffendingFlag() {
        assertMessage("--size", "--size", "12345", "d");
        assertMessage("--size", "--size", "0", "d");
        assertMessage("--size", "--size", "lots", "d");
        assertMessage("--listen", "--listen", "nohost", "d");
        assertMessage("--listen", "--listen", "unix:///x.sock", "d");
        assertMessage("unknown option --frobnicate", "--frobnicate", "d");
        assertMessage("DIR is missing", "--size", "1Gi");
        assertMessage("one replica directory", "a", "b");
        assertMessage("--size needs a value", "d", "--size");
        assertMessage("given twice", "--size", "1Gi", "--size", "2Gi", "d");
        assertMessage("control address", "--listen", "127.0.0.1:9502", "--data-listen", "127.0.0.1:9502", "d");
    }

    @Test
    void helpIsNotAnError() {
        assertThrows(ReplicaOptions.HelpRequested.class, () -> ReplicaOptions.parse("d", "--help"));
    }

    private static void assertMessage(String expected, String... args) {
        var e = assertThrows(ReplicaOptions.UsageException.class, () -> ReplicaOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
