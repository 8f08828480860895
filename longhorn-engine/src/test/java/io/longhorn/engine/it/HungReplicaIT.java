package io.longhorn.engine.it;

import static io.longhorn.engine.it.Cluster.TOOL_TIMEOUT;
import static io.longhorn.engine.it.Cluster.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.api.engine.ReplicaMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica process that stops answering but keeps its connections open (SIGSTOP: the kernel still
 * takes the engine's frames into the socket buffer, nobody replies). The engine must fail it after
 * the replica timeout and go on with the others; with no replica left that answers, the client
 * gets an I/O error, never a silent success.
 */
class HungReplicaIT {

    @TempDir
    Path dir;
    Cluster cluster;
    private final List<ServiceProcess> stopped = new ArrayList<>();

    @BeforeEach
    void start() {
        cluster = new Cluster(dir);
    }

    @AfterEach
    void stop() {
        // A stopped process ignores SIGTERM until it continues.
        stopped.forEach(p -> signal(p, "CONT"));
        cluster.close();
    }

    private void freeze(ServiceProcess p) {
        signal(p, "STOP");
        stopped.add(p);
    }

    private static void signal(ServiceProcess p, String signal) {
        Tool.run(TOOL_TIMEOUT, Map.of(), List.of("kill", "-" + signal, Long.toString(p.pid()))).ok();
    }

    private static Tool.Result qemuIo(String nbd, String... commands) {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(nbd);
        return Tool.run(TOOL_TIMEOUT, Map.of(), cmd);
    }

    @Test
    void aReplicaThatStopsAnsweringIsErrAfterTheTimeoutAndWritesGoOn() throws Exception {
        List<ServiceProcess> rs = cluster.replicas("64Mi", "r1", "r2");
        ServiceProcess r1 = rs.get(0);
        ServiceProcess r2 = rs.get(1);
        Cluster.Engine engine = cluster.engine("vol1", List.of(r1, r2), "--replica-timeout", "2s");
        qemuIo(engine.nbd, "write -P 0x31 0 2M", "flush").ok();

        freeze(r2);
        // The write waits for r2 until the watchdog gives up on it, then completes on r1 alone.
        qemuIo(engine.nbd, "write -P 0x32 2M 2M", "flush", "read -P 0x31 0 2M", "read -P 0x32 2M 2M").ok();
        assertEquals(ReplicaMode.ERR, engine.mode(Cluster.control(r2)));
        assertEquals(ReplicaMode.RW, engine.mode(Cluster.control(r1)));
        String info = cli(engine, "info").ok().output();
        assertTrue(info.contains("no answer within the replica timeout"), info);

        // The last replica that answers stops too: requests fail with an I/O error.
        freeze(r1);
        Tool.Result failed = qemuIo(engine.nbd, "write -P 0x33 4M 1M", "flush");
        assertTrue(failed.output().contains("Input/output error"), "a write with no replica answering: " + failed.output());
        assertNotEquals(ReplicaMode.RW, engine.mode(Cluster.control(r1)));
    }
}
