package io.longhorn.manager.launcher.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process launcher with stand-in launch scripts that print the real services' ready lines (so
 * the test needs no JVM per instance): start, ready-line parsing, unexpected exit, stop, adoption by
 * a new launcher, start failures, and the guard on data removal.
 */
class ProcessInstanceLauncherTest {
    @TempDir
    Path dir;

    private final List<ProcessInstanceLauncher> launchers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void scripts() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // Prints the ready line with the addresses it was given, then waits; MODE=fail exits first.
        script(bin.resolve("longhorn-replica"), """
                #!/bin/bash
                [ "${FAKE_MODE:-}" = fail ] && { echo "cannot open replica: disk gone"; exit 1; }
                [ "${FAKE_MODE:-}" = slow ] && exec sleep 600
                echo "replica ready: control=$2 data=tcp://$4 dir=${@: -1} size=$6"
                exec sleep 600
                """);
        script(bin.resolve("longhorn-engine"), """
                #!/bin/bash
                vol="${@: -1}"
                echo "args: $*"
                echo "engine ready: control=$3 nbd=nbd://$7/$vol"
                exec sleep 600
                """);
    }

    @AfterEach
    void stopAll() {
        for (ProcessInstanceLauncher l : launchers) {
            l.pids().values().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    private static void script(Path p, String text) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private ProcessInstanceLauncher launcher(Map<String, String> env, Duration timeout) {
        var l = new ProcessInstanceLauncher(new ProcessLauncherOptions(dir.resolve("bin"), "127.0.0.1",
                dir.resolve("instances"), dir.resolve("logs"), timeout, env));
        launchers.add(l);
        return l;
    }

    private static InstanceInfo awaitState(ProcessInstanceLauncher l, String name, String state) {
        await().atMost(Duration.ofSeconds(20)).until(() -> l.inspect(name).map(i -> i.state().equals(state)).orElse(false));
        return l.inspect(name).orElseThrow();
    }

    private Path replicaDir(String name) {
        return dir.resolve("disk").resolve("replicas").resolve(name);
    }

    @Test
    void aReplicaRunsOnceItPrintedItsReadyLineAndReportsItsAddresses() {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        List<String> changes = new CopyOnWriteArrayList<>();
        l.addListener(changes::add);
        InstanceInfo first = l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        assertEquals("starting", first.state());
        InstanceInfo running = awaitState(l, "r1", "running");
        assertTrue(running.controlAddress().startsWith("127.0.0.1:"), running.controlAddress());
        assertTrue(running.dataAddress().startsWith("tcp://127.0.0.1:"), running.dataAddress());
        assertTrue(running.port() > 0);
        assertTrue(changes.contains("r1"));
        assertEquals("running", l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()))
                .state(), "starting a running instance does nothing");
        assertTrue(Files.exists(dir.resolve("instances").resolve("r1.json")));
    }

    @Test
    void everyInstanceOfAVolumeGetsTheVolumesOwnerOnlySecretFileAndItGoesWithTheVolume() throws Exception {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        InstanceInfo running = awaitState(l, "r1", "running");
        Path file = dir.resolve("secrets").resolve("vol1.secret");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        List<String> engine = l.command(InstanceRequest.engine("e1", "vol1", "n1", 4096, List.of(), "nbd", 0, false));
        assertEquals(file.toString(), engine.get(engine.indexOf("--secret-file") + 1));
        assertEquals(java.util.Arrays.toString(io.longhorn.api.auth.VolumeSecret.load(file).bytes()),
                java.util.Arrays.toString(l.secretForAddress("tcp://" + running.controlAddress()).bytes()));
        assertEquals(null, l.secretForAddress("127.0.0.1:1"));
        l.stop("r1");
        awaitState(l, "r1", "stopped");
        l.deleteVolumeSecret("vol1");
        assertFalse(Files.exists(file));
    }

    @Test
    void anEngineGetsTheReplicaTimeoutItWasAskedFor() {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        List<String> cmd = l.command(InstanceRequest.engine("e1", "vol1", "n1", 4096, List.of("tcp://127.0.0.1:1"), "nbd", 0, false)
                .withReplicaTimeout(17));
        int i = cmd.indexOf("--replica-timeout");
        assertTrue(i > 0, cmd.toString());
        assertEquals("17s", cmd.get(i + 1));
        assertFalse(l.command(InstanceRequest.engine("e1", "vol1", "n1", 4096, List.of(), "nbd", 0, false)).contains("--replica-timeout"));
    }

    @Test
    void aReplicasAddressesAreKnownWhileItStartsAndItServesThere() {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        InstanceInfo starting = l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        assertEquals("starting", starting.state());
        assertTrue(starting.port() > 0, starting.controlAddress());
        assertTrue(starting.dataAddress().startsWith("tcp://127.0.0.1:"), starting.dataAddress());
        InstanceInfo running = awaitState(l, "r1", "running");
        assertEquals(starting.controlAddress(), running.controlAddress());
        assertEquals(starting.dataAddress(), running.dataAddress());
    }

    @Test
    void aReplicaThatCannotStartNoLongerReportsAnAddress() {
        var l = launcher(Map.of("FAKE_MODE", "fail"), Duration.ofSeconds(20));
        l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        InstanceInfo failed = awaitState(l, "r1", "error");
        assertEquals("", failed.controlAddress());
        assertTrue(failed.error().contains("disk gone"), failed.error());
    }

    @Test
    void anEngineStartedWhileItsReplicasStartWaitsForThemAsLongAsTheyMayTakeToStart() {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        List<String> cmd = l.command(InstanceRequest.engine("e1", "vol1", "n1", 4096, List.of("tcp://127.0.0.1:1"), "nbd",
                0, false).withReplicasStarting(true));
        int i = cmd.indexOf("--replica-wait");
        assertTrue(i > 0, cmd.toString());
        assertEquals("20000ms", cmd.get(i + 1));
        assertFalse(l.command(InstanceRequest.engine("e1", "vol1", "n1", 4096, List.of("tcp://127.0.0.1:1"), "nbd", 0,
                false)).contains("--replica-wait"), "replicas that run are asked once");
    }

    @Test
    void anEngineReportsItsNbdEndpoint() {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        l.start(InstanceRequest.engine("e1", "vol1", "n1", 4096, List.of("tcp://127.0.0.1:1"), "nbd", 0, false));
        InstanceInfo info = awaitState(l, "e1", "running");
        assertTrue(info.endpoint().startsWith("nbd://127.0.0.1:") && info.endpoint().endsWith("/vol1"), info.endpoint());
    }

    @Test
    void anEngineGetsTheVolumesLastGenerationAndOnlyASalvageStartSaysSalvage() throws IOException {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        l.start(InstanceRequest.engine("e1", "vol1", "n1", 4096, List.of("tcp://127.0.0.1:1"), "nbd", 7, false));
        l.start(InstanceRequest.engine("e2", "vol2", "n1", 4096, List.of("tcp://127.0.0.1:1"), "nbd", 9, true));
        awaitState(l, "e1", "running");
        awaitState(l, "e2", "running");
        String first = Files.readString(dir.resolve("logs").resolve("e1.log"));
        assertTrue(first.contains("--min-generation 7 vol1"), first);
        assertFalse(first.contains("--salvage"), first);
        String second = Files.readString(dir.resolve("logs").resolve("e2.log"));
        assertTrue(second.contains("--min-generation 9 --salvage vol2"), second);
    }

    @Test
    void aProcessThatDiesIsInErrorNamingItsLogAndStoppingClearsThat() throws Exception {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        awaitState(l, "r1", "running");
        ProcessHandle.of(l.pids().get("r1")).orElseThrow().destroyForcibly();
        InstanceInfo err = awaitState(l, "r1", "error");
        assertTrue(err.error().contains("exited unexpectedly") && err.error().contains("r1.log"), err.error());
        assertFalse(Files.exists(dir.resolve("instances").resolve("r1.json")));
        l.stop("r1");
        assertEquals("stopped", l.inspect("r1").orElseThrow().state());
    }

    @Test
    void stoppingEndsTheProcessWithoutAnError() {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        awaitState(l, "r1", "running");
        long pid = l.pids().get("r1");
        l.stop("r1");
        InstanceInfo stopped = awaitState(l, "r1", "stopped");
        assertEquals("", stopped.error());
        await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void aNewLauncherAdoptsTheProcessesThatStillRun() {
        var first = launcher(Map.of(), Duration.ofSeconds(20));
        first.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        InstanceInfo before = awaitState(first, "r1", "running");
        var second = launcher(Map.of(), Duration.ofSeconds(20));
        InstanceInfo adopted = second.inspect("r1").orElseThrow();
        assertEquals("running", adopted.state());
        assertEquals(before.controlAddress(), adopted.controlAddress());
        ProcessHandle.of(second.pids().get("r1")).orElseThrow().destroyForcibly();
        awaitState(second, "r1", "error");
    }

    @Test
    void aRecordOfAProcessThatIsGoneIsDropped() throws Exception {
        var first = launcher(Map.of(), Duration.ofSeconds(20));
        first.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        awaitState(first, "r1", "running");
        Path record = dir.resolve("instances").resolve("r1.json");
        String saved = Files.readString(record);
        ProcessHandle.of(first.pids().get("r1")).orElseThrow().destroyForcibly();
        awaitState(first, "r1", "error");
        Files.writeString(record, saved);
        var second = launcher(Map.of(), Duration.ofSeconds(20));
        assertTrue(second.inspect("r1").isEmpty());
        assertFalse(Files.exists(record));
    }

    @Test
    void aProcessThatExitsBeforeItIsReadyIsAnErrorWithItsLastOutput() {
        var l = launcher(Map.of("FAKE_MODE", "fail"), Duration.ofSeconds(20));
        l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        InstanceInfo err = awaitState(l, "r1", "error");
        assertTrue(err.error().contains("cannot open replica: disk gone"), err.error());
        assertTrue(err.error().contains("vol1"), err.error());
    }

    @Test
    void aProcessThatNeverGetsReadyIsKilledAfterTheTimeout() {
        var l = launcher(Map.of("FAKE_MODE", "slow"), Duration.ofSeconds(2));
        l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        InstanceInfo err = awaitState(l, "r1", "error");
        assertTrue(err.error().contains("not ready after 2 s"), err.error());
        assertTrue(l.pids().isEmpty());
    }

    @Test
    void anInstanceStoppedWhileItStartsEndsAtOnceWithoutWaitingForItsReadyLine() throws Exception {
        var l = launcher(Map.of("FAKE_MODE", "slow"), Duration.ofMinutes(5));
        l.start(InstanceRequest.replica("r1", "vol1", "n1", 4096, replicaDir("r1").toString()));
        // The process exists (its log has the command line) but never prints a ready line.
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("logs").resolve("r1.log")));
        java.util.Optional<ProcessHandle> sleeper = await().atMost(Duration.ofSeconds(20)).until(
                () -> ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep 600"))
                        .filter(p -> p.parent().map(pp -> pp.pid() == ProcessHandle.current().pid()).orElse(false))
                        .findFirst(), java.util.Optional::isPresent);
        l.stop("r1");
        InstanceInfo stopped = awaitState(l, "r1", "stopped");
        assertEquals("", stopped.controlAddress());
        await().atMost(Duration.ofSeconds(20)).until(() -> !sleeper.get().isAlive());
    }

    @Test
    void onlyReplicaDirectoriesAreEverDeleted() throws IOException {
        var l = launcher(Map.of(), Duration.ofSeconds(20));
        Path replica = Files.createDirectories(replicaDir("vol1-abc"));
        Files.writeString(replica.resolve("volume.meta"), "{}");
        Path other = Files.createDirectories(dir.resolve("precious"));
        Files.writeString(other.resolve("keep"), "x");
        l.deleteReplicaData("n1", other.toString());
        assertTrue(Files.exists(other.resolve("keep")));
        l.deleteReplicaData("n1", replica.toString());
        assertFalse(Files.exists(replica));
    }
}
