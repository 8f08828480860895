package io.longhorn.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsiOptionsTest {
    @Test
    void readsEveryFlag() throws Exception {
        CsiOptions o = CsiOptions.parse(List.of("--endpoint", "unix:///csi/csi.sock", "--manager-url=http://m:9500/v1",
                "--node-id", "n1", "--state-dir", "/var/lib/x", "--health-listen", "127.0.0.1:9808"), "host");
        assertEquals(Path.of("/csi/csi.sock"), o.socket());
        assertEquals("http://m:9500/v1", o.managerUrl());
        assertEquals("n1", o.nodeId());
        assertEquals(Path.of("/var/lib/x"), o.stateDir());
        assertEquals(9808, o.healthListen().getPort());
    }

    @Test
    void theManagerTokenComesFromTheFileGivenElseFromTheServiceAccountWhenThereIsOne(@org.junit.jupiter.api.io.TempDir
                                                                                     Path dir) throws Exception {
        Path given = java.nio.file.Files.writeString(dir.resolve("token"), "lh_x\n");
        Path serviceAccount = dir.resolve("sa-token");
        List<String> base = List.of("--endpoint", "/csi/csi.sock", "--manager-url", "http://m:9500/v1");
        assertEquals(java.util.Optional.empty(), CsiOptions.parse(base, "host", serviceAccount).managerTokenFile());
        java.nio.file.Files.writeString(serviceAccount, "eyJ...");
        assertEquals(java.util.Optional.of(serviceAccount), CsiOptions.parse(base, "host", serviceAccount).managerTokenFile());
        List<String> withFile = new java.util.ArrayList<>(base);
        withFile.addAll(List.of("--manager-token-file", given.toString()));
        assertEquals(java.util.Optional.of(given), CsiOptions.parse(withFile, "host", serviceAccount).managerTokenFile());
        List<String> missing = new java.util.ArrayList<>(base);
        missing.addAll(List.of("--manager-token-file", dir.resolve("none").toString()));
        var e = assertThrows(IllegalArgumentException.class, () -> CsiOptions.parse(missing, "host", serviceAccount));
        assertEquals("--manager-token-file " + dir.resolve("none") + ": not a readable file", e.getMessage());
    }

    @Test
    void defaults() throws Exception {
        CsiOptions o = CsiOptions.parse(List.of("--endpoint", "/csi/csi.sock", "--manager-url", "http://m:9500/v1"), "host");
        assertEquals("host", o.nodeId());
        assertEquals(Path.of("/var/lib/longhorn-csi"), o.stateDir());
        assertNull(o.healthListen());
    }

    @Test
    void refusesWhatItCannotServe() {
        assertThrows(IllegalArgumentException.class, () -> CsiOptions.parse(List.of("--manager-url", "http://m/v1"), "h"));
        assertThrows(IllegalArgumentException.class, () -> CsiOptions.parse(List.of("--endpoint", "tcp://0.0.0.0:1",
                "--manager-url", "http://m/v1"), "h"));
        assertThrows(IllegalArgumentException.class, () -> CsiOptions.parse(List.of("--endpoint", "csi.sock",
                "--manager-url", "http://m/v1"), "h"));
        assertThrows(IllegalArgumentException.class, () -> CsiOptions.parse(List.of("--endpoint", "/c.sock"), "h"));
        assertThrows(IllegalArgumentException.class, () -> CsiOptions.parse(List.of("--endpoint", "/c.sock",
                "--manager-url", "http://m/v1", "--bogus"), "h"));
        assertThrows(IllegalArgumentException.class, () -> CsiOptions.parse(List.of("--endpoint", "/c.sock",
                "--manager-url", "http://m/v1", "--health-listen", "x:y"), "h"));
        assertThrows(CsiOptions.HelpException.class, () -> CsiOptions.parse(List.of("--help"), "h"));
    }

    @Test
    void mkfsCommands() {
        assertEquals(List.of("mkfs.ext4", "-F", "-b", "4096", "/dev/loop0"), NodeService.mkfs("ext4", "", "/dev/loop0"));
        assertEquals(List.of("mkfs.ext4", "-F", "-b", "4096", "-I", "256", "/dev/loop0"),
                NodeService.mkfs("ext4", " -I  256 ", "/dev/loop0"));
        assertEquals(List.of("mkfs.xfs", "-f", "-s", "size=4096", "-b", "size=4096", "/dev/nbd0"),
                NodeService.mkfs("xfs", "", "/dev/nbd0"));
    }
}
