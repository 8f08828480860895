package io.longhorn.manager.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.testing.ManagerProcess;
import io.longhorn.manager.testing.TestTokens;
import io.longhorn.manager.testing.Tools;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine starts while its replicas start and waits for them; a replica that cannot start at
 * all ends as it did when the engine started after the replicas: the engine serves from the others,
 * the replica is marked failed and a new one is rebuilt. Real processes; the instance start timeout
 * (which bounds the engine's wait) is short so that the test does not wait long for it.
 */
class ReplicaStartFailureIT {
    private static final Duration WAIT = Duration.ofMinutes(3);

    private Path dataDir;
    private ManagerProcess manager;

    @BeforeEach
    void start() throws Exception {
        TestTokens.restAssuredAsAdmin();
        assertTrue(ManagerProcess.servicesBuilt(), "the replica, engine and backupstore modules must be packaged first");
        dataDir = Files.createTempDirectory("replica-start-failure-it-").resolve("data");
        Files.createDirectories(dataDir);
        manager = ManagerProcess.start(dataDir, ManagerProcess.freePort(), "it-node",
                Map.of("LONGHORN_INSTANCE_START_TIMEOUT", "15s"));
    }

    @AfterEach
    void stop() throws Exception {
        TestTokens.restAssuredAnonymous();
        try {
            manager.kill();
        } finally {
            ManagerProcess.killInstances(dataDir);
            ManagerProcess.releaseDevices(dataDir);
            ManagerProcess.deleteTree(dataDir.getParent());
        }
    }

    private JsonPath volume(String name) {
        return given().get(manager.url() + "/v1/volumes/" + name).then().statusCode(200).extract().jsonPath();
    }

    private void post(String path, String body) {
        given().contentType(ContentType.JSON).body(body).post(manager.url() + path).then().statusCode(200);
    }

    @Test
    void aReplicaThatCannotStartIsFailedAndReplacedWhileTheOthersServe() throws Exception {
        post("/v1/volumes", "{\"name\":\"vol1\",\"size\":\"" + (64L << 20) + "\",\"numberOfReplicas\":3,"
                + "\"frontend\":\"nbd\"}");
        await().atMost(WAIT).until(() -> "detached".equals(volume("vol1").getString("state")));
        List<String> names = volume("vol1").getList("replicas.name");
        List<String> paths = volume("vol1").getList("replicas.dataPath");
        String broken = names.getFirst();
        // A file where its directory would be: the replica process exits at start, every time.
        Files.createDirectories(Path.of(paths.getFirst()).getParent());
        Files.writeString(Path.of(paths.getFirst()), "not a replica directory");

        post("/v1/volumes/vol1?action=attach", "{}");

        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonPath v = volume("vol1");
            assertEquals("attached", v.getString("state"));
            assertFalse(v.getString("endpoint").isEmpty(), "an endpoint");
        });
        String endpoint = volume("vol1").getString("endpoint");
        Tools.writePattern(endpoint, 0x5c, "0", "4M");
        Tools.readPattern(endpoint, 0x5c, "0", "4M").ok();
        List<String> reasons = given().get(manager.url() + "/v1/events").then().extract().path("data.reason");
        assertTrue(reasons.contains("ReplicaFailed"), reasons.toString());

        // As before: the failed replica is replaced by a new one, rebuilt from the others.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonPath v = volume("vol1");
            List<String> now = v.getList("replicas.name");
            assertFalse(now.contains(broken), "the replica that could not start is gone: " + now);
            assertEquals(List.of("RW", "RW", "RW"), v.getList("replicas.mode"));
            assertEquals("healthy", v.getString("robustness"));
        });
        Tools.readPattern(volume("vol1").getString("endpoint"), 0x5c, "0", "4M").ok();
    }
}
