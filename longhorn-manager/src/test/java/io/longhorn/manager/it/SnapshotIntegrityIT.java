package io.longhorn.manager.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.testing.StandaloneManager;
import io.longhorn.manager.testing.Tools;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Snapshot data integrity end to end, with the real manager, engine and replica processes: one
 * byte of one replica's snapshot file is corrupted on disk; the scheduled check finds it, names the
 * replica, the file and the range in an event, and the replica is failed and replaced by a rebuilt
 * one; every replica then reads the volume's bytes back.
 */
class SnapshotIntegrityIT {
    private static final Duration WAIT = Duration.ofSeconds(150);
    private static final long SIZE = 32L << 20;
    private static final String SNAP_FILE = "volume-snap-s1.img";


    @org.junit.jupiter.api.extension.RegisterExtension
    static final StandaloneManager MANAGER = new StandaloneManager("integrity-it-");



    private static String url(String path) {
        return MANAGER.url(path);
    }

    private static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(url(path)).then();
    }

    private static void setting(String name, String value) {
        given().contentType(ContentType.JSON).body(Map.of("value", value)).put(url("/v1/settings/" + name)).then()
                .statusCode(200);
    }

    private static JsonPath volume() {
        return given().get(url("/v1/volumes/vol1")).then().statusCode(200).extract().jsonPath();
    }

    private static Path replicaDir(JsonPath v, int i) {
        return Path.of(v.getString("replicas[" + i + "].dataPath"));
    }

    @Test
    void aReplicaWhoseSnapshotWasCorruptedOnDiskIsFailedNamedAndRebuilt() throws Exception {
        post("/v1/volumes", "{\"name\":\"vol1\",\"size\":\"" + SIZE + "\",\"numberOfReplicas\":3}").statusCode(200);
        post("/v1/volumes/vol1?action=attach", "{}").statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> assertEquals(List.of("RW", "RW", "RW"), volume().getList("replicas.mode")));
        String endpoint = volume().getString("endpoint");
        Tools.writePattern(endpoint, 0xab, "0", "8M");
        post("/v1/volumes/vol1?action=snapshotCreate", "{\"name\":\"s1\"}").statusCode(200);
        Tools.writePattern(endpoint, 0xcd, "8M", "2M");

        JsonPath v = volume();
        String victim = v.getString("replicas[1].name");
        Path victimFile = replicaDir(v, 1).resolve(SNAP_FILE);
        assertTrue(Files.exists(victimFile), victimFile.toString());
        long at = (3L << 20) + 4321;
        try (RandomAccessFile f = new RandomAccessFile(victimFile.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }

        setting("snapshot-data-integrity-cronjob", "* * * * *");
        setting("snapshot-data-integrity", "fast-check");

        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<Map<String, Object>> events = given().get(url("/v1/events")).then().extract().path("data");
            assertTrue(events.stream().anyMatch(e -> "SnapshotCorrupted".equals(e.get("reason"))
                    && String.valueOf(e.get("message")).contains(victim)
                    && String.valueOf(e.get("message")).contains(SNAP_FILE)
                    && String.valueOf(e.get("message")).contains("in bytes [3145728, ")), events.toString());
        });
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonPath now = volume();
            List<String> names = now.getList("replicas.name");
            assertFalse(names.contains(victim), "the corrupted replica is gone: " + names);
            assertEquals(List.of("RW", "RW", "RW"), now.getList("replicas.mode"));
            assertEquals("healthy", now.getString("robustness"));
        });
        JsonPath after = volume();
        for (int i = 0; i < 3; i++) {
            // The other replicas keep the checksum beside their snapshot.
            if (!after.getString("replicas[" + i + "].name").equals(victim)
                    && Files.exists(replicaDir(after, i).resolve(SNAP_FILE))
                    && v.getList("replicas.name").contains(after.getString("replicas[" + i + "].name"))) {
                String json = Files.readString(replicaDir(after, i).resolve(SNAP_FILE + ".checksum"));
                assertTrue(json.contains("\"checksum\":\"") && json.contains("\"change_time\":\""), json);
            }
        }
        // Round robin reads reach every replica, the rebuilt one included.
        for (int i = 0; i < 3; i++) {
            Tools.readPattern(endpoint, 0xab, "0", "8M").ok();
            Tools.readPattern(endpoint, 0xcd, "8M", "2M").ok();
        }
    }
}
