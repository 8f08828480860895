package io.longhorn.manager.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.testing.ManagerProcess;
import io.longhorn.manager.testing.S3Server;
import io.longhorn.manager.testing.StandaloneManager;
import io.longhorn.manager.testing.Tools;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged manager with real processes, driven through REST: a 3-replica volume written with
 * qemu-io, snapshotted, backed up to S3 (S3Proxy); the manager killed and restarted (nothing lost,
 * the volume still served); a replica killed with SIGKILL and replaced by a rebuilt one; the backup
 * restored into a new volume and compared byte for byte; a recurring snapshot job every minute that
 * keeps only {@code retain} snapshots. The steps build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneManagerIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String BUCKET = "longhorn-backups";
    private static final long SIZE = 64L << 20;

    private static S3Server s3;
    private static String backupUrl;

    /** A failed run keeps its data directory and logs for a look; a passing one removes them. */
    @org.junit.jupiter.api.extension.RegisterExtension
    static final StandaloneManager MANAGER = new StandaloneManager("manager-it-")
            .preparing(StandaloneManagerIT::startS3);

    /** The S3 server of the backup tests, and its credentials where the manager reads secrets. */
    static void startS3(Path dataDir) throws Exception {
        s3 = MANAGER.closeAfter(S3Server.start(BUCKET));
        Path secret = dataDir.resolve("secrets").resolve("s3-secret");
        Files.createDirectories(secret);
        for (Map.Entry<String, String> e : s3.credentials().entrySet()) {
            Files.writeString(secret.resolve(e.getKey()), e.getValue());
        }
    }


    private static String url(String path) {
        return MANAGER.url(path);
    }

    private static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(url(path)).then();
    }

    private static JsonPath volume(String name) {
        return given().get(url("/v1/volumes/" + name)).then().statusCode(200).extract().jsonPath();
    }

    private static void awaitVolume(String name, String state, String robustness) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonPath v = volume(name);
            assertEquals(state, v.getString("state"), "state of " + name);
            assertEquals(robustness, v.getString("robustness"), "robustness of " + name);
        });
    }

    private static List<String> jobSnapshots(String volume, String job) {
        JsonPath list = post("/v1/volumes/" + volume + "?action=snapshotList", "{}").statusCode(200).extract().jsonPath();
        List<Map<String, Object>> data = list.getList("data");
        return data.stream().filter(s -> !Boolean.TRUE.equals(s.get("removed")))
                .filter(s -> job.equals(((Map<?, ?>) s.get("labels")).get("RecurringJob")))
                .map(s -> (String) s.get("name")).toList();
    }

    @Test
    @Order(1)
    void aThreeReplicaVolumeAttachesAndServesNbdThatQemuWritesTo() throws Exception {
        post("/v1/volumes", "{\"name\":\"vol1\",\"size\":\"" + SIZE + "\",\"numberOfReplicas\":3,\"frontend\":\"nbd\"}").statusCode(200)
                .body("numberOfReplicas", equalTo(3));
        post("/v1/recurringjobs", "{\"name\":\"every-minute\",\"task\":\"snapshot\",\"cron\":\"* * * * *\",\"retain\":1,"
                + "\"concurrency\":1}").statusCode(200);
        post("/v1/volumes/vol1?action=recurringJobAdd", "{\"name\":\"every-minute\"}").statusCode(200);
        post("/v1/volumes/vol1?action=attach", "{}").statusCode(200);
        awaitVolume("vol1", "attached", "healthy");
        JsonPath v = volume("vol1");
        assertEquals(List.of("RW", "RW", "RW"), v.getList("replicas.mode"));
        assertEquals(3, Set.copyOf(v.getList("replicas.address")).size());
        String endpoint = v.getString("endpoint");
        assertTrue(endpoint.startsWith("nbd://127.0.0.1:"), endpoint);
        Tools.writePattern(endpoint, 0xab, "0", "4M");
        Tools.readPattern(endpoint, 0xab, "0", "4M").ok();
    }

    @Test
    @Order(2)
    void badInputIsRefusedWithStatusAndMessageAndChangesNothing() {
        post("/v1/volumes", "{\"name\":\"bad\",\"size\":\"abc\"}").statusCode(400).body("type", equalTo("error"))
                .body("message", containsString("size: invalid size \"abc\""));
        post("/v1/volumes", "{\"name\":\"bad\",\"size\":\"1Gi\",\"numberOfReplicas\":0}").statusCode(400)
                .body("message", equalTo("numberOfReplicas must be between 1 and 20, got 0"));
        post("/v1/volumes", "{\"name\":\"bad\",\"size\":\"1Gi\",\"numberOfReplicas\":100}").statusCode(400)
                .body("message", equalTo("numberOfReplicas must be between 1 and 20, got 100"));
        post("/v1/volumes", "{\"name\":\"vol1\",\"size\":\"1Gi\"}").statusCode(409).body("code", equalTo("NotUnique"))
                .body("message", equalTo("volume vol1 already exists"));
        post("/v1/volumes/vol1?action=teleport", "{}").statusCode(400)
                .body("message", containsString("unknown action \"teleport\" for volume vol1"));
        post("/v1/volumes/vol1?action=attach", "{\"hostId\":\"elsewhere\"}").statusCode(400)
                .body("message", equalTo("node elsewhere not found"));
        given().delete(url("/v1/volumes/ghost")).then().statusCode(404)
                .body("message", equalTo("volume ghost not found"));
        given().get(url("/v1/volumes")).then().body("data.name", equalTo(List.of("vol1")));
        JsonPath v = volume("vol1");
        assertEquals(String.valueOf(SIZE), v.getString("size"));
        assertEquals("attached", v.getString("state"));
    }

    @Test
    @Order(3)
    void aSnapshotIsBackedUpToS3() {
        given().contentType(ContentType.JSON)
                .body("{\"backupTargetURL\":\"s3://" + BUCKET + "@us-east-1/cluster/\",\"credentialSecret\":\"s3-secret\","
                        + "\"pollInterval\":\"5s\"}")
                .put(url("/v1/backuptargets/default")).then().statusCode(200);
        await().atMost(WAIT).until(() -> Boolean.TRUE.equals(given().get(url("/v1/backuptargets/default")).then()
                .extract().path("available")));
        post("/v1/volumes/vol1?action=snapshotCreate", "{\"name\":\"s1\"}").statusCode(200).body("name", equalTo("s1"));
        post("/v1/volumes/vol1?action=snapshotBackup", "{\"name\":\"s1\",\"labels\":{\"it\":\"yes\"}}").statusCode(200);
        await().atMost(WAIT).until(() -> {
            List<String> states = post("/v1/backupvolumes/vol1?action=backupList", "{}").extract().path("data.state");
            return states != null && states.contains("Completed");
        });
        JsonPath backups = post("/v1/backupvolumes/vol1?action=backupList", "{}").extract().jsonPath();
        backupUrl = backups.getString("data[0].url");
        assertTrue(backupUrl.startsWith("s3://" + BUCKET + "@us-east-1/cluster/?backup="), backupUrl);
        assertEquals("s1", backups.getString("data[0].snapshotName"));
        assertTrue(s3.objectCount(BUCKET) > 0, "the bucket holds the backup");
        await().atMost(WAIT).until(() -> !volume("vol1").getString("lastBackup").isEmpty());
    }

    @Test
    @Order(4)
    void aManagerKilledAndStartedAgainLosesNothingAndTheVolumeKeepsServing() throws Exception {
        JsonPath before = volume("vol1");
        String endpoint = before.getString("endpoint");
        Tools.writePattern(endpoint, 0xcd, "8M", "4M");
        MANAGER.process().kill();
        // The engine does not depend on the manager: I/O goes on while it is down.
        Tools.readPattern(endpoint, 0xcd, "8M", "4M").ok();
        MANAGER.startAgain();
        awaitVolume("vol1", "attached", "healthy");
        JsonPath after = volume("vol1");
        assertEquals(endpoint, after.getString("endpoint"), "the same engine was adopted");
        assertEquals(Set.copyOf(before.getList("replicas.name")), Set.copyOf(after.getList("replicas.name")));
        post("/v1/volumes/vol1?action=snapshotList", "{}").body("data.name", org.hamcrest.Matchers.hasItem("s1"));
        post("/v1/backupvolumes/vol1?action=backupList", "{}").body("data.url", org.hamcrest.Matchers.hasItem(backupUrl));
        given().get(url("/v1/backuptargets/default")).then().body("credentialSecret", equalTo("s3-secret"));
        given().get(url("/v1/recurringjobs/every-minute")).then().statusCode(200).body("retain", equalTo(1));
        Tools.readPattern(endpoint, 0xab, "0", "4M").ok();
    }

    @Test
    @Order(5)
    void aReplicaKilledWithSigkillIsReplacedByARebuiltOneAndTheDataVerifies() throws Exception {
        JsonPath v = volume("vol1");
        List<String> before = v.getList("replicas.name");
        String victim = before.getFirst();
        long pid = ManagerProcess.instancePid(MANAGER.dataDir(), victim).orElseThrow();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath now = volume("vol1");
            List<String> names = now.getList("replicas.name");
            assertFalse(names.contains(victim), "the failed replica is gone: " + names);
            assertEquals(3, names.size());
            assertEquals(List.of("RW", "RW", "RW"), now.getList("replicas.mode"));
            assertEquals("healthy", now.getString("robustness"));
        });
        List<String> reasons = given().get(url("/v1/events")).then().extract().path("data.reason");
        assertTrue(reasons.contains("ReplicaFailed") && reasons.contains("RebuildStarted"), reasons.toString());
        String endpoint = volume("vol1").getString("endpoint");
        // Reads go round robin over the RW replicas, the rebuilt one included.
        for (int i = 0; i < 3; i++) {
            Tools.readPattern(endpoint, 0xab, "0", "4M").ok();
            Tools.readPattern(endpoint, 0xcd, "8M", "4M").ok();
            Tools.readPattern(endpoint, 0, "4M", "4M").ok();
        }
    }

    @Test
    @Order(6)
    void theBackupRestoresIntoANewVolumeWithTheSnapshotsBytes() throws Exception {
        post("/v1/volumes", "{\"name\":\"restored\",\"fromBackup\":\"" + backupUrl + "\",\"numberOfReplicas\":2,\"frontend\":\"nbd\"}")
                .statusCode(200).body("size", equalTo(String.valueOf(SIZE)));
        await().atMost(WAIT).until(() -> {
            JsonPath v = volume("restored");
            return "detached".equals(v.getString("state")) && !v.getBoolean("restoreRequired");
        });
        post("/v1/volumes/restored?action=attach", "{}").statusCode(200);
        awaitVolume("restored", "attached", "healthy");
        String endpoint = volume("restored").getString("endpoint");
        Path expected = MANAGER.dataDir().resolveSibling("expected.img");
        byte[] image = new byte[(int) SIZE];
        java.util.Arrays.fill(image, 0, 4 << 20, (byte) 0xab);
        Files.write(expected, image);
        Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), endpoint).ok();
        // The original has moved on since the snapshot; the restore must not have.
        Tools.Result differs = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", endpoint,
                volume("vol1").getString("endpoint"));
        assertNotEquals(0, differs.exit(), differs.output());
    }

    @Test
    @Order(7)
    void aStandbyVolumeFollowsANewerBackupIncrementallyAndActivatesWithItsBytes() throws Exception {
        post("/v1/volumes", "{\"name\":\"dr\",\"fromBackup\":\"" + backupUrl + "\",\"numberOfReplicas\":1,"
                + "\"standby\":true}").statusCode(200);
        await().atMost(WAIT).until(() -> volume("dr").getString("lastRestoredBackup").equals(backupUrl));
        post("/v1/volumes/dr?action=attach", "{}").statusCode(409).body("message", containsString("standby"));
        String endpoint = volume("vol1").getString("endpoint");
        Tools.writePattern(endpoint, 0x5a, "16M", "2M");
        post("/v1/volumes/vol1?action=snapshotCreate", "{\"name\":\"s2\"}").statusCode(200);
        post("/v1/volumes/vol1?action=snapshotBackup", "{\"name\":\"s2\"}").statusCode(200);
        await().atMost(WAIT).until(() -> {
            List<String> snaps = post("/v1/backupvolumes/vol1?action=backupList", "{}").extract().path("data.snapshotName");
            List<String> states = post("/v1/backupvolumes/vol1?action=backupList", "{}").extract().path("data.state");
            return snaps.contains("s2") && !states.contains("InProgress") && !states.contains("Pending");
        });
        await().atMost(WAIT).until(() -> !volume("dr").getString("lastRestoredBackup").equals(backupUrl));
        post("/v1/volumes/dr?action=activate", "{}").statusCode(200);
        await().atMost(WAIT).until(() -> "detached".equals(volume("dr").getString("state"))
                && !volume("dr").getBoolean("restoreRequired"));
        post("/v1/volumes/dr?action=attach", "{}").statusCode(200);
        awaitVolume("dr", "attached", "healthy");
        // vol1 has not been written since s2: the activated copy must equal it byte for byte.
        Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", volume("dr").getString("endpoint"), endpoint).ok();
    }

    @Test
    @Order(8)
    void theRecurringSnapshotJobRunsEveryMinuteAndKeepsOnlyRetainSnapshots() {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            int runs = given().get(url("/v1/recurringjobs/every-minute")).then().extract().path("executionCount");
            assertTrue(runs >= 2, "ran " + runs + " times");
        });
        List<String> own = jobSnapshots("vol1", "every-minute");
        assertEquals(1, own.size(), "retain 1: " + own);
        assertTrue(jobSnapshots("restored", "every-minute").isEmpty(), "only the joined volume is snapshotted");
    }

    @Test
    @Order(9)
    void metricsReportTheVolumes() {
        String text = given().get(url("/metrics")).then().statusCode(200).extract().asString();
        assertTrue(text.contains("longhorn_volume_robustness{volume=\"vol1\",node=\"it-node\""), text);
        assertTrue(text.contains("longhorn_volume_state{volume=\"restored\""), text);
        Set<String> states = text.lines().filter(l -> l.startsWith("longhorn_backup_state{"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).collect(Collectors.toSet());
        assertEquals(Set.of("3"), states, "completed backups: " + text);

        // Writes go on (64 of 4 KiB per round, the bytes vol1 already holds) until a sampling
        // interval of the manager holds some: then vol1's write rates and latency are above 0.
        String endpoint = volume("vol1").getString("endpoint");
        List<String> writes = new java.util.ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (int i = 0; i < 64; i++) {
            writes.addAll(List.of("-c", "write -P 0xab " + i * 4096 + " 4096"));
        }
        writes.add(endpoint);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            Tools.run(writes.toArray(String[]::new)).ok();
            String m = given().get(url("/metrics")).then().statusCode(200).extract().asString();
            return metric(m, "longhorn_volume_write_iops", "vol1") > 0
                    && metric(m, "longhorn_volume_write_throughput", "vol1") > 0
                    && metric(m, "longhorn_volume_write_latency", "vol1") > 0;
        });
    }

    /** The value of a volume metric of {@code volume} in a /metrics text; fails when it is missing. */
    private static double metric(String text, String name, String volume) {
        String prefix = name + "{volume=\"" + volume + "\",";
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .orElseThrow(() -> new AssertionError("no " + name + " of " + volume + " in\n" + text));
    }

    @Test
    @Order(10)
    void detachingAndDeletingStopsTheProcessesAndRemovesTheData() throws Exception {
        JsonPath v = volume("restored");
        List<String> dirs = v.getList("replicas.dataPath");
        post("/v1/volumes/restored?action=detach", "{}").statusCode(200);
        awaitVolume("restored", "detached", "unknown");
        given().delete(url("/v1/volumes/restored")).then().statusCode(200);
        await().atMost(WAIT).until(() -> given().get(url("/v1/volumes/restored")).then().extract().statusCode() == 404);
        for (String d : dirs) {
            assertFalse(Files.exists(Path.of(d)), d + " removed");
        }
        assertTrue(ManagerProcess.instancePid(MANAGER.dataDir(), "restored-e-0").isEmpty());
    }
}
