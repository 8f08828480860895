package io.longhorn.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.engine.IoCounters;
import io.longhorn.api.engine.IoStats;
import io.longhorn.api.engine.Replica;
import io.longhorn.api.engine.ReplicaMode;
import io.longhorn.api.engine.Volume;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineCliTest {

    @Test
    void commandsAreParsedWithTheirArgumentsAndOptions() throws Exception {
        EngineCli.Command c = EngineCli.Command.parse(List.of("snapshot", "create", "s1", "--label", "a=b", "--label=c=d=e"));
        assertEquals("snapshot create", c.key());
        assertEquals("s1", c.arg());
        assertEquals(Map.of("a", "b", "c", "d=e"), c.labels());
        assertEquals("snapshot create", EngineCli.Command.parse(List.of("snapshot", "create")).key());
        assertTrue(EngineCli.Command.parse(List.of("replica", "add", "tcp://a:1", "--no-wait")).noWait());
        assertEquals("expand", EngineCli.Command.parse(List.of("expand", "2Gi")).key());
    }

    @Test
    void badCommandsAreUsageErrors() {
        for (List<String> bad : List.of(List.of("frobnicate"), List.of("replica", "add"), List.of("snapshot", "rm"),
                List.of("info", "extra"), List.of("expand"), List.of("info", "--label", "a=b"),
                List.of("snapshot", "create", "--label", "nokey"), List.of("info", "--no-wait"))) {
            assertThrows(UsageException.class, () -> EngineCli.Command.parse(bad), bad.toString());
        }
    }

    @Test
    void usageErrorsExitWithTwoAndUnreachableEngineWithOne() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(EngineCli.EXIT_USAGE, EngineCli.run(new String[] {"--url", "x:1", "bogus"}, o, e));
        assertEquals(EngineCli.EXIT_USAGE, EngineCli.run(new String[] {"--url", "nohost", "info"}, o, e));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        err.reset();
        assertEquals(EngineCli.EXIT_FAILED, EngineCli.run(new String[] {"--url", "127.0.0.1:" + port, "info"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot reach the engine at 127.0.0.1:" + port),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void infoShowsSizeEndpointAndEachReplicasMode() {
        String text = Printer.volume(Volume.newBuilder().setName("vol1").setSize(1 << 30).setFrontend("nbd")
                .setFrontendRunning(true).setEndpoint("nbd://127.0.0.1:10809/vol1").setState("degraded")
                .addReplicas(Replica.newBuilder().setAddress("tcp://10.0.0.1:9502").setMode(ReplicaMode.RW))
                .addReplicas(Replica.newBuilder().setAddress("tcp://10.0.0.2:9502").setMode(ReplicaMode.ERR)
                        .setError("no answer"))
                .build());
        assertTrue(text.contains("1073741824 (1Gi)"), text);
        assertTrue(text.contains("nbd://127.0.0.1:10809/vol1"), text);
        assertTrue(text.matches("(?s).*tcp://10.0.0.1:9502\\s+RW.*"), text);
        assertTrue(text.matches("(?s).*tcp://10.0.0.2:9502\\s+ERR.*no answer.*"), text);
    }

    @Test
    void infoShowsRequestsBytesErrorsAndMeanLatencyPerOperation() {
        String text = Printer.volume(Volume.newBuilder().setName("vol1").setSize(1 << 30).setIoStats(IoStats.newBuilder()
                .setWrite(IoCounters.newBuilder().setCount(4).setBytes(2 << 20).setErrors(1).setLatencyNanos(10_000))
                .setRead(IoCounters.newBuilder().setCount(1).setBytes(4096).setLatencyNanos(1_500)))
                .build());
        assertTrue(text.matches("(?s).*\\nread\\s+1\\s+4Ki\\s+0\\s+1\\.5us\\n.*"), text);
        assertTrue(text.matches("(?s).*\\nwrite\\s+4\\s+2Mi\\s+1\\s+2\\.5us\\n.*"), text);
        assertTrue(text.matches("(?s).*\\nflush\\s+0\\s+0\\s+0\\s+-\\n.*"), text);
    }
}
