package io.longhorn.engine.it;

import static io.longhorn.engine.it.Cluster.cli;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.engine.Empty;
import io.longhorn.api.engine.Rebuild;
import io.longhorn.api.engine.RebuildState;
import io.longhorn.api.engine.ReplicaMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-zeroes and trims racing rebuilds: whatever the order, every RW replica must read back the
 * same bytes over the whole volume, and those bytes must be what the client wrote (zeros where it
 * zeroed or trimmed).
 */
class ZeroTrimRebuildIT {

    private static final int ROUNDS = 3;

    @TempDir
    Path dir;
    Cluster cluster;

    @BeforeEach
    void start() {
        cluster = new Cluster(dir);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void replicasRebuiltWhileClientsZeroAndTrimReadBackIdenticalToTheOthers() throws Exception {
        List<ServiceProcess> all = new ArrayList<>(cluster.replicas("64Mi", "r1", "r2"));
        String expected = null;
        try (Cluster.Engine engine = cluster.engine("vol1", all)) {
            // Data in a snapshot below the head, and more in the head: what a trim must hide.
            Tool.run(Cluster.TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x41 0 64M", "-c", "flush",
                    engine.nbd).ok();
            cli(engine, "snapshot", "create", "s1").ok();
            Tool.run(Cluster.TOOL_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x42 8M 16M", "-c", "flush",
                    engine.nbd).ok();
            for (int round = 1; round <= ROUNDS; round++) {
                ServiceProcess fresh = cluster.replica("n" + round, "64Mi");
                Path stopFile = dir.resolve("stop-" + round);
                String address = Cluster.control(fresh);
                try (Load load = Load.start(dir, engine.nbd, stopFile, round)) {
                    cli(engine, "replica", "add", address, "--no-wait").ok();
                    // The client goes on until the copy has begun (the replica joined, the rebuild
                    // prepared it), then stops: later requests would overwrite what the race left.
                    await().atMost(Duration.ofMinutes(1)).until(() -> copying(engine, address));
                    assertTrue(load.process.isAlive(), "the client of round " + round + " stopped early");
                    expected = load.stopAndCheck(stopFile);
                }
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300))
                        .until(() -> engine.mode(address) != ReplicaMode.WO);
                Rebuild done = rebuild(engine, address);
                assertEquals(RebuildState.COMPLETE, done.getState(), done.toString());
                all.add(fresh);
                assertEquals(ReplicaMode.RW, engine.mode(address));
                assertEquals("healthy", engine.info().getState(), engine.info().toString());
            }
        }
        List<String> hashes = cluster.hashEachAlone("vol1", all);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < hashes.size(); i++) {
            if (!hashes.get(i).equals(expected)) {
                wrong.add(i < 2 ? "r" + (i + 1) : "n" + (i - 1) + " (rebuilt in round " + (i - 1) + ")");
            }
        }
        assertEquals(List.of(), wrong, "replicas that alone do not read what the client wrote (sha256 " + expected
                + "; each alone: " + hashes + ")");
    }

    private static boolean copying(Cluster.Engine engine, String address) {
        Rebuild r = rebuild(engine, address);
        return r.getState() != RebuildState.IN_PROGRESS || r.getBytesTotal() > 0;
    }

    private static Rebuild rebuild(Cluster.Engine engine, String address) {
        return engine.api().rebuildStatus(Empty.getDefaultInstance()).getRebuildsList().stream()
                .filter(b -> b.getAddress().equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no rebuild of " + address));
    }

    /** The client: {@code zero-trim-load.py} over libnbd, one request at a time, with its model. */
    private static final class Load implements AutoCloseable {
        final Process process;
        final Path log;

        private Load(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Load start(Path dir, String uri, Path stopFile, int seed) throws Exception {
            Path script = Path.of(ZeroTrimRebuildIT.class.getResource("/it/zero-trim-load.py").toURI());
            Path log = dir.resolve("load-" + seed + ".log");
            Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), uri, stopFile.toString(),
                    Integer.toString(seed)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Load load = new Load(p, log);
            await().atMost(Duration.ofMinutes(1)).until(() -> load.output().contains("ready") || !p.isAlive());
            assertTrue(p.isAlive(), "the client did not start:\n" + load.output());
            // Let it get going before the replica joins.
            await().pollDelay(Duration.ofMillis(500)).until(() -> true);
            return load;
        }

        /** Stops the client; checks it read back its model through the volume; returns the model's hash. */
        String stopAndCheck(Path stopFile) throws Exception {
            Files.writeString(stopFile, "stop");
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                throw new AssertionError("the client did not stop:\n" + output());
            }
            String out = output();
            assertEquals(0, process.exitValue(), "the client failed:\n" + out);
            Matcher m = Pattern.compile("ops=(\\d+) sha256=([0-9a-f]{64})").matcher(out);
            assertTrue(m.find(), out);
            return m.group(2);
        }

        String output() throws IOException {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
