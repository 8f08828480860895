package io.longhorn.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * csi-sanity, the CSI conformance suite, against the driver on this machine: a standalone manager
 * started from this build ({@code bin/longhorn-manager}, its own data directory and port) and the
 * driver ({@code bin/longhorn-csi}) on a Unix socket, as root with its real FUSE file, loop devices, mkfs
 * and mount, with no backup target (its snapshots are {@code snap}, so its clones and restores are
 * the manager's replica-to-replica copies). Every spec passes; the only skipped ones are those of
 * capabilities the driver does not claim ({@link #NOT_CLAIMED}). Afterwards no mount, FUSE mount or loop device of the test is
 * left (unstage undid every stage).
 *
 * <p>csi-sanity is found through {@code LONGHORN_CSI_SANITY} (the binary or its {@code .xz}) or
 * {@code LONGHORN_K8S_SHARED} (the Kubernetes test kit, {@code csi/csi-sanity.xz} in it). When one
 * is set and the file is missing, or the machine cannot run it, the test fails; only with neither
 * set (a developer's machine without the kit) is it skipped. {@code bin/test-all} sets
 * {@code LONGHORN_K8S_SHARED}.
 */
class CsiSanityIT {
    static final String NODE = "csi-it-node";

    /**
     * Why csi-sanity may skip a spec, by its skip message: the capability the driver does not claim
     * (group snapshots, volume modification, controller read-only publish; see
     * README), and the node attach limit, which the driver does not set (NodeGetInfo
     * {@code max_volumes_per_node} 0: no limit). The one spec csi-test itself marks pending
     * (ListVolumes pagination with concurrent changes) is reported as pending.
     */
    static final List<String> NOT_CLAIMED = List.of("GroupControllerService not supported",
            "Modify volume not supported", "Modify Volume not supported", "ControllerModifyVolume not supported",
            "ControllerPublishVolume.readonly field not supported", "testnodevolumeattachlimit not enabled", "pending");

    static Path root() {
        return Path.of(System.getProperty("longhorn.root", "..")).toAbsolutePath().normalize();
    }

    static Path dir;
    static Process manager;
    /** The manager's admin token ({@code --admin-token-file}). */
    static final String ADMIN_TOKEN = "lh_csi-test-admin-token-0123456789";
    static Process driver;
    static Path sanity;
    static int managerPort;
    static int healthPort;

    @BeforeAll
    static void start() throws Exception {
        String explicit = System.getenv("LONGHORN_CSI_SANITY");
        String kit = System.getenv("LONGHORN_K8S_SHARED");
        Path source;
        if (explicit != null && !explicit.isEmpty()) {
            source = Path.of(explicit);
        } else if (kit != null && !kit.isEmpty()) {
            source = Path.of(kit, "csi", "csi-sanity.xz");
        } else {
            Assumptions.abort("neither LONGHORN_CSI_SANITY nor LONGHORN_K8S_SHARED is set: csi-sanity is not here "
                    + "(bin/test-all sets LONGHORN_K8S_SHARED)");
            return;
        }
        if (!Files.isRegularFile(source)) {
            fail("csi-sanity not found at " + source + " (from LONGHORN_CSI_SANITY / LONGHORN_K8S_SHARED)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("csi-sanity runs the driver's node service, which formats and mounts: it needs root");
        }
        for (String m : List.of("manager", "engine", "replica", "backupstore", "csi")) {
            Path jar = root().resolve("longhorn-" + m).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                fail(jar + " is missing: package the modules first (the reactor build does that)");
            }
        }
        Path target = Path.of("target").toAbsolutePath();
        sanity = target.resolve("csi-sanity");
        if (source.toString().endsWith(".xz")) {
            run(List.of("sh", "-c", "xz -dc '" + source + "' > '" + sanity + "' && chmod +x '" + sanity + "'"));
        } else {
            Files.copy(source, sanity, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            sanity.toFile().setExecutable(true);
        }
        dir = Files.createTempDirectory("csi-it-");
        Files.createDirectories(dir.resolve("data"));
        managerPort = freePort();
        // The manager's API takes tokens: the test knows the admin token, and the driver gets an
        // editor's, made with the manager's command line.
        Path adminToken = Files.createFile(dir.resolve("admin-token"), java.nio.file.attribute.PosixFilePermissions
                .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(adminToken, ADMIN_TOKEN);
        manager = new ProcessBuilder(root().resolve("bin/longhorn-manager").toString(), "--data-dir",
                dir.resolve("data").toString(), "--listen", "127.0.0.1:" + managerPort, "--node-name", NODE,
                "--admin-token-file", adminToken.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("manager.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        await("the manager's API", manager, () -> status(http, "http://127.0.0.1:" + managerPort + "/v1/nodes/" + NODE,
                ADMIN_TOKEN) == 200);
        Path driverToken = dir.resolve("csi-token");
        String created = run(List.of(root().resolve("bin/longhorn-manager").toString(), "token", "create",
                "--name", "csi", "--role", "editor", "--data-dir", dir.resolve("data").toString()));
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("(?m)^lh_[A-Za-z0-9_-]{40,}$").matcher(created);
        assertTrue(token.find(), "longhorn-manager token create printed no token: " + created);
        Files.writeString(driverToken, token.group());
        healthPort = freePort();
        driver = new ProcessBuilder(root().resolve("bin/longhorn-csi").toString(), "--endpoint",
                "unix://" + dir.resolve("csi.sock"), "--manager-url", "http://127.0.0.1:" + managerPort + "/v1",
                "--node-id", NODE, "--state-dir", dir.resolve("state").toString(),
                "--health-listen", "127.0.0.1:" + healthPort, "--manager-token-file", driverToken.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("csi.log").toFile()).start();
        await("the driver's socket and /healthz", driver, () -> Files.exists(dir.resolve("csi.sock"))
                && status(http, "http://127.0.0.1:" + healthPort + "/healthz") == 200);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(String what, Process p, Check check) throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            if (!p.isAlive()) {
                fail(what + ": the process exited with " + p.exitValue() + "; logs in " + dir);
            }
            if (check.ok()) {
                return;
            }
            Thread.sleep(200);
        }
        fail(what + " did not come up within 120 s; logs in " + dir);
    }

    static int status(HttpClient http, String url) {
        return status(http, url, null);
    }

    /** The status of a GET, sent with the bearer token when there is one. */
    static int status(HttpClient http, String url, String token) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : new Process[] {driver, manager}) {
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor();
                }
            }
        }
        if (dir == null) {
            return;
        }
        // Engines and replicas outlive the manager on purpose: end the ones started for this test, by
        // the pids the manager recorded and by their command lines naming the test's directory.
        for (String sub : List.of("instances", "services")) {
            Path records = dir.resolve("data").resolve(sub);
            if (!Files.isDirectory(records)) {
                continue;
            }
            try (Stream<Path> files = Files.list(records)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".json")).toList()) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pid\"\\s*:\\s*(\\d+)")
                            .matcher(Files.readString(f));
                    if (m.find()) {
                        ProcessHandle.of(Long.parseLong(m.group(1))).ifPresent(h -> {
                            h.descendants().forEach(ProcessHandle::destroyForcibly);
                            h.destroyForcibly();
                        });
                    }
                }
            }
        }
        String marker = dir.toString() + "/";
        ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .filter(h -> h.pid() != ProcessHandle.current().pid())
                .forEach(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
        List<String> left = leftovers();
        // Whatever a failure left is removed, so that the machine stays clean; the test below has said so.
        // Loop devices first: unmounting their FUSE file first would leave them pointing at nothing.
        for (String m : left) {
            if (m.startsWith("/dev/loop")) {
                new ProcessBuilder("losetup", "-d", m.split(":")[0]).start().waitFor();
            }
        }
        for (String m : left) {
            if (!m.startsWith("/dev/loop")) {
                new ProcessBuilder("umount", "-l", m).start().waitFor();
            }
        }
        if (left.isEmpty()) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Mount points under the test directory and loop devices backed by files under it. */
    static List<String> leftovers() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(dir.toString() + "/")) {
                out.add(mountPoint);
            }
        }
        // A loop device whose FUSE file was unmounted names its file relative to that mount ("/nbd"),
        // so any loop device that was not there before these tests counts too.
        for (String line : loopDevices()) {
            if (line.contains(dir.toString() + "/") || !LOOPS_BEFORE.contains(line.split(":")[0])) {
                out.add(line);
            }
        }
        return out;
    }

    /** The loop devices when the CSI tests began (their names). */
    private static final java.util.Set<String> LOOPS_BEFORE = loopNamesNow();

    private static java.util.Set<String> loopNamesNow() {
        try {
            java.util.Set<String> names = new java.util.HashSet<>();
            for (String line : loopDevices()) {
                names.add(line.split(":")[0]);
            }
            return names;
        } catch (Exception e) {
            throw new IllegalStateException("cannot list loop devices: " + e.getMessage(), e);
        }
    }

    /** {@code losetup -a}, a line per loop device. */
    private static List<String> loopDevices() throws Exception {
        Process p = new ProcessBuilder("losetup", "-a").redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
            if (line.startsWith("/dev/loop")) {
                lines.add(line);
            }
        }
        p.waitFor();
        return lines;
    }

    @Test
    void csiSanityPassesAndLeavesNothingBehind() throws Exception {
        // With no backup target: its clones and restores from (snap) snapshots are copied replica to
        // replica by the manager.
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managerPort
                            + "/v1/settings/backup-target")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "unset the backup target: " + r.body());
        }
        Path params = dir.resolve("volume-parameters.yaml");
        // xfs: NodeExpandVolume grows a mounted file system, and this machine's root may lack the
        // CAP_SYS_RESOURCE a mounted ext4 needs for that (xfs needs 300 MiB at least)
        Files.writeString(params, "numberOfReplicas: \"1\"\nfsType: xfs\n");
        Path snapParams = dir.resolve("snapshot-parameters.yaml");
        Files.writeString(snapParams, "type: snap\n");
        Path junit = Path.of("target/csi-sanity-junit.xml").toAbsolutePath();
        Path log = Path.of("target/csi-sanity.log").toAbsolutePath();
        Files.deleteIfExists(junit);
        Process p = new ProcessBuilder(sanity.toString(), "-csi.endpoint", "unix://" + dir.resolve("csi.sock"),
                "-csi.mountdir", dir.resolve("mnt").toString(), "-csi.stagingdir", dir.resolve("stage").toString(),
                "-csi.testvolumesize", Long.toString(320L << 20), "-csi.testvolumeexpandsize", Long.toString(640L << 20),
                "-csi.testvolumeparameters", params.toString(), "-csi.testsnapshotparameters", snapParams.toString(),
                "-csi.junitfile", junit.toString(), "--ginkgo.no-color")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(40, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("csi-sanity did not finish within 40 minutes; output in " + log);
        }
        Report r = Report.read(junit);
        assertTrue(r.failed().isEmpty(), "csi-sanity failures (output in " + log + "): " + r.failed());
        assertEquals(0, p.exitValue(), "csi-sanity exit code; output in " + log);
        assertTrue(r.passed() > 60, "csi-sanity passed only " + r.passed() + " specs; output in " + log);
        Set<String> unexplained = new TreeSet<>();
        for (String skipped : r.skipped()) {
            if (NOT_CLAIMED.stream().noneMatch(skipped::endsWith)) {
                unexplained.add(skipped);
            }
        }
        assertTrue(unexplained.isEmpty(), "skipped specs not explained by an unclaimed capability: " + unexplained);
        assertTrue(r.skipped().size() <= 25, "csi-sanity skipped " + r.skipped().size() + " specs: " + r.skipped());
        assertEquals(List.of(), leftovers(), "mounts or loop devices left after csi-sanity");
    }

    /**
     * The outcome of csi-sanity's JUnit report: the names of the specs that failed, {@code name: reason}
     * of those skipped ({@code pending} for pending ones), and how many passed.
     */
    record Report(List<String> failed, List<String> skipped, int passed) {
        static Report read(Path junit) throws Exception {
            if (!Files.exists(junit)) {
                fail("csi-sanity wrote no report at " + junit);
            }
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
            NodeList cases = doc.getElementsByTagName("testcase");
            List<String> failed = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            int passed = 0;
            for (int i = 0; i < cases.getLength(); i++) {
                Element c = (Element) cases.item(i);
                String name = c.getAttribute("name");
                String status = c.getAttribute("status");
                if (c.getElementsByTagName("failure").getLength() > 0 || c.getElementsByTagName("error").getLength() > 0) {
                    failed.add(name);
                } else if ("pending".equals(status)) {
                    skipped.add(name + ": pending");
                } else if (c.getElementsByTagName("skipped").getLength() > 0 || "skipped".equals(status)) {
                    NodeList s = c.getElementsByTagName("skipped");
                    String why = s.getLength() > 0 ? ((Element) s.item(0)).getAttribute("message") : "";
                    skipped.add(name + ": " + why.replaceFirst("^skipped - ", ""));
                } else {
                    passed++;
                }
            }
            return new Report(failed, skipped, passed);
        }
    }
}
