package io.longhorn.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.types.Address;
import io.longhorn.api.types.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControllerArgsTest {

    @Test
    void flagsBecomeTheEngineConfiguration() throws Exception {
        ControllerArgs a = ControllerArgs.parse(List.of("--listen", "0.0.0.0:9501", "--frontend=nbd", "--nbd-listen",
                "127.0.0.1:0", "--nbd-socket", "/tmp/v.sock", "--replica-timeout", "500ms", "--replica",
                "tcp://10.0.0.1:9502", "--replica", "10.0.0.2:9502", "vol1"));
        assertEquals(Duration.ofMillis(500), a.replicaTimeout());
        assertEquals(List.of("tcp://10.0.0.1:9502", "10.0.0.2:9502"), a.replicas());
        Map<String, String> p = a.properties(Address.tcp("0.0.0.0", 9501));
        assertEquals("vol1", p.get("longhorn.engine.volume"));
        assertEquals("tcp://10.0.0.1:9502,10.0.0.2:9502", p.get("longhorn.engine.replicas"));
        assertEquals("PT0.5S", p.get("longhorn.engine.replica-timeout"));
        assertEquals("9501", p.get("quarkus.grpc.server.port"));
        assertEquals("/tmp/v.sock", p.get("longhorn.engine.nbd-socket"));
    }

    @Test
    void theSecretFileBecomesAPropertyAndTheExportStaysOnLoopbackByDefault() throws Exception {
        ControllerArgs a = ControllerArgs.parse(List.of("--secret-file", "/run/s/vol1.secret", "--replica", "a:1", "vol1"));
        assertEquals("/run/s/vol1.secret", a.properties(a.listen()).get("longhorn.engine.secret-file"));
        assertEquals("127.0.0.1", a.nbdListen().host());
        assertEquals("127.0.0.1", a.listen().host());
        ControllerArgs none = ControllerArgs.parse(List.of("--replica", "a:1", "vol1"));
        assertEquals(null, none.properties(none.listen()).get("longhorn.engine.secret-file"));
        assertTrue(message("--secret-file", "", "--replica", "a:1", "vol1").contains("--secret-file"));
    }

    @Test
    void theReplicaWaitIsZeroUnlessGivenAndBecomesAProperty() throws Exception {
        ControllerArgs none = ControllerArgs.parse(List.of("--replica", "a:1", "vol1"));
        assertEquals(Duration.ZERO, none.replicaWait());
        assertEquals("PT0S", none.properties(none.listen()).get("longhorn.engine.replica-wait"));
        ControllerArgs a = ControllerArgs.parse(List.of("--replica-wait", "90s", "--replica", "a:1", "vol1"));
        assertEquals(Duration.ofSeconds(90), a.replicaWait());
        assertEquals("PT1M30S", a.properties(a.listen()).get("longhorn.engine.replica-wait"));
        assertEquals(Duration.ZERO, ControllerArgs.parse(List.of("--replica-wait=0", "--replica", "a:1", "vol1"))
                .replicaWait());
        assertTrue(message("--replica", "a:1", "--replica-wait", "later", "vol1").contains("--replica-wait"));
        assertTrue(message("--replica", "a:1", "--replica-wait", "-1s", "vol1").contains("--replica-wait"));
    }

    @Test
    void theExportCanBeServedOnItsUnixSocketOnly() throws Exception {
        ControllerArgs a = ControllerArgs.parse(List.of("--nbd-listen", "none", "--nbd-socket", "/run/lh/vol1.sock",
                "--replica", "a:1", "vol1"));
        assertEquals(null, a.nbdListen());
        Map<String, String> p = a.properties(a.listen());
        assertEquals("none", p.get("longhorn.engine.nbd-listen"));
        assertEquals("/run/lh/vol1.sock", p.get("longhorn.engine.nbd-socket"));
        assertTrue(message("--nbd-listen", "none", "--replica", "a:1", "vol1").contains("--nbd-socket"),
                "an export served nowhere is refused");
        ControllerArgs headless = ControllerArgs.parse(List.of("--frontend", "none", "--nbd-listen", "none",
                "--replica", "a:1", "vol1"));
        assertEquals("none", headless.frontend());
    }

    @Test
    void badFlagsNameTheFlag() {
        assertTrue(message("--replica", "tcp://a:1").contains("no volume"));
        assertTrue(message("vol1").contains("no replica"));
        assertTrue(message("--replica", "nope", "vol1").contains("--replica"));
        assertTrue(message("--replica", "a:1", "--frontend", "iscsi", "vol1").contains("--frontend"));
        assertTrue(message("--replica", "a:1", "--replica-timeout", "soon", "vol1").contains("--replica-timeout"));
        assertTrue(message("--replica", "a:1", "--bogus", "vol1").contains("--bogus"));
        assertTrue(message("--replica", "a:1", "Vol_1").contains("volume name"));
        assertTrue(message("--replica", "a:1", "vol1", "vol2").contains("vol2"));
        assertTrue(message("--replica").contains("needs a value"));
    }

    static String message(String... args) {
        return assertThrows(UsageException.class, () -> ControllerArgs.parse(List.of(args))).getMessage();
    }

    @Test
    void durationsAcceptUnitsAndRefuseZero() {
        assertEquals(Duration.ofSeconds(8), Durations.parse("8s"));
        assertEquals(Duration.ofSeconds(8), Durations.parse("8"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("0s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1s"));
    }
}
