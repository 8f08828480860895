package io.longhorn.manager.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.longhorn.manager.testing.ManagerProcess;
import io.longhorn.manager.testing.Tools;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged manager with real processes on this host: a volume with the default frontend,
 * {@code blockdev}, attaches as {@code /dev/longhorn/<volume>} (the kernel NBD client where the
 * node has one, else nbdfuse and a loop device), takes a file system that is written, unmounted,
 * mounted again and read; detach leaves no link, loop device or FUSE mount behind; its engine and
 * replica use the start-up cache the build recorded and record none. Then the
 * manager stops and its idle backup service stops with it. A manager run as an unprivileged user
 * cannot make a device: attaching a blockdev volume fails saying so, and an nbd volume attaches.
 * Needs root, /dev/fuse, nbdfuse and losetup (skipped otherwise).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BlockDeviceIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static Path dataDir;
    private static Path mountPoint;
    private static ManagerProcess manager;
    private static Path unprivilegedDir;
    private static ManagerProcess unprivileged;
    private static final String VOLUME = "bdev-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

    @BeforeAll
    static void start() throws Exception {
        io.longhorn.manager.testing.TestTokens.restAssuredAsAdmin();
        Assumptions.assumeTrue(ManagerProcess.servicesBuilt(),
                "the replica, engine and backupstore modules must be packaged first (the reactor build does that)");
        Assumptions.assumeTrue(Tools.run("id", "-u").output().trim().equals("0"), "needs root (loop devices, mounts)");
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/fuse")) && Tools.run("which", "nbdfuse", "losetup").exit() == 0,
                "needs /dev/fuse, nbdfuse and losetup");
        dataDir = Files.createTempDirectory("blockdev-it-").resolve("data");
        Files.createDirectories(dataDir);
        mountPoint = Files.createDirectories(dataDir.getParent().resolve("mnt"));
        manager = ManagerProcess.start(dataDir, ManagerProcess.freePort());
    }

    @AfterAll
    static void stop() throws Exception {
        io.longhorn.manager.testing.TestTokens.restAssuredAnonymous();
        try {
            if (manager != null) {
                manager.kill();
            }
            if (unprivileged != null) {
                unprivileged.kill();
            }
            if (unprivilegedDir != null) {
                ManagerProcess.killInstances(unprivilegedDir);
            }
        } finally {
            if (dataDir != null) {
                Tools.run("umount", mountPoint.toString());
                ManagerProcess.killInstances(dataDir);
                Files.deleteIfExists(Path.of("/dev/longhorn", VOLUME));
                ManagerProcess.deleteTree(dataDir.getParent());
            }
        }
    }

    private static String url(String path) {
        return manager.url() + path;
    }

    private static JsonPath volume() {
        return given().get(url("/v1/volumes/" + VOLUME)).then().statusCode(200).extract().jsonPath();
    }

    private static void post(String path, String body) {
        given().contentType(ContentType.JSON).body(body).post(url(path)).then().statusCode(200);
    }

    private static List<String> loopDevicesOverDataDir() throws Exception {
        return Tools.run("losetup", "-n", "-O", "NAME,BACK-FILE").output().lines()
                .filter(l -> l.contains(dataDir.toString())).toList();
    }

    private static List<String> mountsUnderDataDir() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .filter(l -> l.split(" ")[1].startsWith(dataDir.toString())).toList();
    }

    @Test
    @Order(1)
    void aBlockdevVolumeIsADeviceThatTakesAFileSystemAndDetachLeavesNothingBehind() throws Exception {
        post("/v1/volumes", "{\"name\":\"" + VOLUME + "\",\"size\":\"64Mi\",\"numberOfReplicas\":1}");
        post("/v1/volumes/" + VOLUME + "?action=attach", "{}");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> "attached".equals(volume().getString("state")));
        JsonPath v = volume();
        assertEquals("blockdev", v.getString("frontend"));
        Path link = Path.of("/dev/longhorn", VOLUME);
        assertEquals(link.toString(), v.getString("endpoint"));
        assertTrue(Files.isSymbolicLink(link), link + " is a link");
        String device = Files.readSymbolicLink(link).toString();
        String how = v.getString("controllers[0].frontendDevice");
        if (Files.isDirectory(Path.of("/sys/module/nbd"))) {
            assertEquals("kernel NBD client: " + device, how);
        } else {
            assertEquals("userspace (slower): nbdfuse + " + device, how);
            assertEquals(1, loopDevicesOverDataDir().size(), "one loop device over the nbdfuse file");
            assertEquals(1, mountsUnderDataDir().size(), "one FUSE mount");
        }

        // Servers only use the start-up cache the build recorded; none records one (which would make its stop slow).
        try (var records = Files.list(dataDir.resolve("instances"))) {
            for (Path r : records.filter(f -> f.toString().endsWith(".json")).toList()) {
                long pid = new ObjectMapper().readTree(r.toFile()).path("pid").asLong();
                String cmd = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
                assertFalse(cmd.contains("-XX:AOTCacheOutput"), cmd);
                String module = cmd.contains("longhorn-engine") ? "longhorn-engine" : "longhorn-replica";
                Path app = ManagerProcess.root().resolve(module).resolve("target/quarkus-app");
                if (Files.exists(app.resolve("app.aot")) && Files.getLastModifiedTime(app.resolve("app.aot"))
                        .compareTo(Files.getLastModifiedTime(app.resolve("quarkus-run.jar"))) > 0) {
                    assertTrue(cmd.contains("-XX:AOTCache=" + app.resolve("app.aot")), cmd);
                }
            }
        }

        Tools.run("mkfs.ext4", "-q", "-F", link.toString()).ok();
        Tools.run("mount", link.toString(), mountPoint.toString()).ok();
        Files.writeString(mountPoint.resolve("hello.txt"), "written through /dev/longhorn\n");
        Tools.run("umount", mountPoint.toString()).ok();
        Tools.run("mount", link.toString(), mountPoint.toString()).ok();
        assertEquals("written through /dev/longhorn\n", Files.readString(mountPoint.resolve("hello.txt")));
        Tools.run("umount", mountPoint.toString()).ok();

        post("/v1/volumes/" + VOLUME + "?action=detach", "{}");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> "detached".equals(volume().getString("state")));
        assertFalse(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the link is gone");
        assertEquals(List.of(), loopDevicesOverDataDir(), "no loop device left");
        assertEquals(List.of(), mountsUnderDataDir(), "no FUSE mount left");
        assertEquals("", volume().getString("endpoint"));
    }

    @Test
    @Order(2)
    void theIdleBackupServiceStopsWithTheManager() throws Exception {
        Path record = dataDir.resolve("services").resolve("backup-service.json");
        // The backup target is read at start, through the backup service.
        await().atMost(WAIT).until(() -> Files.exists(record));
        long pid = new ObjectMapper().readTree(record.toFile()).path("pid").asLong();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the backup service runs");
        manager.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "the backup service stopped with the manager");
        assertFalse(Files.exists(record), "and its record is gone");
    }

    @Test
    @Order(3)
    void withoutRootBlockdevFailsSayingWhyAndNbdStillWorks() throws Exception {
        unprivilegedDir = dataDir.getParent().resolve("nobody").resolve("data");
        Files.createDirectories(unprivilegedDir);
        Files.setPosixFilePermissions(dataDir.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Tools.run("chown", "-R", "65534:65534", unprivilegedDir.getParent().toString()).ok();
        unprivileged = ManagerProcess.start(unprivilegedDir, ManagerProcess.freePort(),
                List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"));
        String base = unprivileged.url();
        given().contentType(ContentType.JSON).body("{\"name\":\"dev\",\"size\":\"16Mi\",\"numberOfReplicas\":1}")
                .post(base + "/v1/volumes").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{}").post(base + "/v1/volumes/dev?action=attach").then().statusCode(200);
        String message = await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            List<String> m = given().get(base + "/v1/events").then().extract().jsonPath().getList("data.message");
            return m.stream().filter(x -> x.contains("frontend blockdev needs a block device")).findFirst().orElse(null);
        }, java.util.Objects::nonNull);
        assertTrue(message.contains("needs root") && message.contains("use frontend nbd for the bare NBD export"), message);
        assertFalse("attached".equals(given().get(base + "/v1/volumes/dev").then().extract().path("state")));
        given().contentType(ContentType.JSON).body("{}").post(base + "/v1/volumes/dev?action=detach").then().statusCode(200);

        given().contentType(ContentType.JSON)
                .body("{\"name\":\"bare\",\"size\":\"16Mi\",\"numberOfReplicas\":1,\"frontend\":\"nbd\"}")
                .post(base + "/v1/volumes").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{}").post(base + "/v1/volumes/bare?action=attach").then().statusCode(200);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() ->
                "attached".equals(given().get(base + "/v1/volumes/bare").then().extract().path("state")));
        String endpoint = given().get(base + "/v1/volumes/bare").then().extract().path("endpoint");
        assertTrue(endpoint.startsWith("nbd://"), endpoint);
        Tools.writePattern(endpoint, 0x3c, "0", "1M");
        Tools.readPattern(endpoint, 0x3c, "0", "1M").ok();
        given().contentType(ContentType.JSON).body("{}").post(base + "/v1/volumes/bare?action=detach").then().statusCode(200);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() ->
                "detached".equals(given().get(base + "/v1/volumes/bare").then().extract().path("state")));
        unprivileged.close();
    }
}
