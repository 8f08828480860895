package io.longhorn.manager.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.longhorn.manager.model.Node;
import io.longhorn.manager.service.ManagerServices;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.testing.FakeBeans;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The /v1 volume API over the fake instances: Longhorn's JSON shape, the lifecycle, and every bad
 * input answered with its status, code and message while nothing changes.
 */
@QuarkusTest
class VolumeApiTest {
    @org.junit.jupiter.api.BeforeAll
    static void asAdmin() {
        io.longhorn.manager.testing.TestTokens.restAssuredAsAdmin();
    }

    @org.junit.jupiter.api.AfterAll
    static void anonymous() {
        io.longhorn.manager.testing.TestTokens.restAssuredAnonymous();
    }

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    ManagerServices services;

    private static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then();
    }

    private static void create(String name, int replicas) {
        post("/v1/volumes", "{\"name\":\"" + name + "\",\"size\":\"64Mi\",\"numberOfReplicas\":" + replicas + "}")
                .statusCode(200);
    }

    private static String state(String name) {
        return given().get("/v1/volumes/" + name).then().statusCode(200).extract().path("state");
    }

    private static void attach(String name) {
        post("/v1/volumes/" + name + "?action=attach", "{}").statusCode(200);
        await().atMost(WAIT).until(() -> "attached".equals(state(name))
                && "healthy".equals(given().get("/v1/volumes/" + name).then().extract().path("robustness")));
    }

    private static List<String> volumeNames() {
        return given().get("/v1/volumes").then().statusCode(200).extract().path("data.name");
    }

    private static void error(ValidatableResponse r, int status, String code, String message) {
        r.statusCode(status).contentType(ContentType.JSON).body("type", equalTo("error")).body("status", equalTo(status))
                .body("code", equalTo(code)).body("message", containsString(message));
    }

    @Test
    void aCreatedVolumeHasLonghornsShape() {
        post("/v1/volumes", "{\"name\":\"shape\",\"size\":\"1Gi\",\"numberOfReplicas\":2}")
                .statusCode(200)
                .body("id", equalTo("shape"))
                .body("type", equalTo("volume"))
                .body("links.self", endsWith("/v1/volumes/shape"))
                .body("actions.attach", endsWith("/v1/volumes/shape?action=attach"))
                .body("actions.snapshotCreate", endsWith("?action=snapshotCreate"))
                .body("name", equalTo("shape"))
                .body("size", equalTo("1073741824"))
                .body("numberOfReplicas", equalTo(2))
                .body("frontend", equalTo("blockdev"));
        await().atMost(WAIT).until(() -> "detached".equals(state("shape")));
        given().get("/v1/volumes/shape").then().body("robustness", equalTo("unknown"))
                .body("replicas.size()", equalTo(2)).body("replicas[0].hostId", equalTo("test-node"))
                .body("replicas[0].diskPath", notNullValue()).body("controllers[0].running", equalTo(false));
        given().get("/v1/volumes").then().body("type", equalTo("collection")).body("resourceType", equalTo("volume"))
                .body("data.id", hasItem("shape"));
    }

    @Test
    void anAttachedVolumeShowsItsEndpointNodeAndRwReplicasAndDetachesAgain() {
        create("life", 3);
        attach("life");
        // The default frontend, blockdev: the device link, and which path serves it.
        given().get("/v1/volumes/life").then()
                .body("frontend", equalTo("blockdev"))
                .body("endpoint", equalTo("/dev/longhorn/life"))
                .body("currentNodeID", equalTo("test-node"))
                .body("controllers[0].endpoint", equalTo("/dev/longhorn/life"))
                .body("controllers[0].frontendDevice", equalTo("userspace (slower): nbdfuse + /dev/loop0"))
                .body("replicas.mode", equalTo(List.of("RW", "RW", "RW")));
        post("/v1/volumes/life?action=detach", "{}").statusCode(200);
        await().atMost(WAIT).until(() -> "detached".equals(state("life")));
        given().delete("/v1/volumes/life").then().statusCode(200);
        await().atMost(WAIT).until(() -> !volumeNames().contains("life"));
    }

    @Test
    void snapshotsAndBackupsGoThroughTheEngineAndTheBackupService() {
        create("snaps", 2);
        attach("snaps");
        post("/v1/volumes/snaps?action=snapshotCreate", "{\"name\":\"s1\",\"labels\":{\"app\":\"db\"}}").statusCode(200)
                .body("type", equalTo("snapshot")).body("name", equalTo("s1")).body("labels.app", equalTo("db"));
        post("/v1/volumes/snaps?action=snapshotList", "{}").statusCode(200)
                .body("data.name", equalTo(List.of("s1", "volume-head")))
                .body("data[1].parent", equalTo("s1"));
        post("/v1/volumes/snaps?action=snapshotBackup", "{\"name\":\"s1\"}").statusCode(200);
        await().atMost(WAIT).until(() -> {
            List<String> states = post("/v1/backupvolumes/snaps?action=backupList", "{}").extract().path("data.state");
            return states != null && states.equals(List.of("Completed"));
        });
        String url = post("/v1/backupvolumes/snaps?action=backupList", "{}").extract().path("data[0].url");
        String name = post("/v1/backupvolumes/snaps?action=backupList", "{}").extract().path("data[0].name");
        post("/v1/backupvolumes/snaps?action=backupGet", "{\"name\":\"" + name + "\"}").statusCode(200)
                .body("url", equalTo(url)).body("snapshotName", equalTo("s1"));
        await().atMost(WAIT).until(() -> name.equals(given().get("/v1/volumes/snaps").then().extract().path("lastBackup")));
        post("/v1/volumes", "{\"name\":\"snaps-copy\",\"fromBackup\":\"" + url + "\",\"numberOfReplicas\":1}").statusCode(200);
        await().atMost(WAIT).until(() -> "detached".equals(state("snaps-copy"))
                && Boolean.FALSE.equals(given().get("/v1/volumes/snaps-copy").then().extract().path("restoreRequired")));
        post("/v1/volumes/snaps?action=snapshotDelete", "{\"name\":\"s1\"}").statusCode(200);
        post("/v1/volumes/snaps?action=snapshotList", "{}").body("data.name", equalTo(List.of("volume-head")));
        post("/v1/backupvolumes/snaps?action=backupDelete", "{\"name\":\"" + name + "\"}").statusCode(200);
        post("/v1/backupvolumes/snaps?action=backupList", "{}").body("data.size()", equalTo(0));
    }

    @Test
    void badSizesAreRefusedNamingTheFieldAndCreateNothing() {
        List<String> before = volumeNames();
        error(post("/v1/volumes", "{\"name\":\"bad\",\"size\":\"abc\"}"), 400, "InvalidInput", "size: invalid size \"abc\"");
        post("/v1/volumes", "{\"name\":\"bad\",\"size\":\"abc\"}").body("fieldName", equalTo("size"));
        error(post("/v1/volumes", "{\"name\":\"bad\",\"size\":\"0\"}"), 400, "InvalidInput", "size must be positive");
        error(post("/v1/volumes", "{\"name\":\"bad\"}"), 400, "InvalidInput", "size is required");
        error(post("/v1/volumes", "{\"name\":\"bad\",\"size\":{\"x\":1}}"), 400, "InvalidInput", "size must be a string");
        assertEquals(before, volumeNames());
    }

    @Test
    void replicaCountsOutsideOneToTwentyAreRefused() {
        List<String> before = volumeNames();
        error(post("/v1/volumes", "{\"name\":\"bad\",\"size\":\"1Gi\",\"numberOfReplicas\":0}"), 400, "InvalidInput",
                "numberOfReplicas must be between 1 and 20, got 0");
        error(post("/v1/volumes", "{\"name\":\"bad\",\"size\":\"1Gi\",\"numberOfReplicas\":100}"), 400, "InvalidInput",
                "numberOfReplicas must be between 1 and 20, got 100");
        error(post("/v1/volumes", "{\"name\":\"bad\",\"size\":\"1Gi\",\"numberOfReplicas\":\"three\"}"), 400,
                "InvalidInput", "numberOfReplicas must be an integer");
        assertEquals(before, volumeNames());
    }

    @Test
    void badNamesFrontendsAndBodiesAreRefused() {
        List<String> before = volumeNames();
        error(post("/v1/volumes", "{\"name\":\"Bad_Name\",\"size\":\"1Gi\"}"), 400, "InvalidInput",
                "name: invalid volume name \"Bad_Name\"");
        error(post("/v1/volumes", "{\"size\":\"1Gi\"}"), 400, "InvalidInput", "invalid volume name \"null\"");
        error(post("/v1/volumes", "{\"name\":\"ok\",\"size\":\"1Gi\",\"frontend\":\"iscsi\"}"), 400, "InvalidInput",
                "frontend iscsi is not supported");
        error(post("/v1/volumes", "{not json"), 400, "InvalidBodyContent", "invalid request body");
        error(post("/v1/volumes", "[1,2]"), 400, "InvalidInput", "request body must be a JSON object");
        assertEquals(before, volumeNames());
    }

    @Test
    void aDuplicateNameIsAConflictAndLeavesTheFirstVolumeAsItWas() {
        create("dup", 1);
        error(post("/v1/volumes", "{\"name\":\"dup\",\"size\":\"2Gi\",\"numberOfReplicas\":2}"), 409, "NotUnique",
                "volume dup already exists");
        given().get("/v1/volumes/dup").then().body("size", equalTo("67108864")).body("numberOfReplicas", equalTo(1));
    }

    @Test
    void unknownVolumesAndActionsAreRefused() {
        error(given().get("/v1/volumes/nope").then(), 404, "NotFound", "volume nope not found");
        error(post("/v1/volumes/nope?action=attach", "{}"), 404, "NotFound", "volume nope not found");
        create("acts", 1);
        error(post("/v1/volumes/acts?action=fly", "{}"), 400, "InvalidInput", "unknown action \"fly\" for volume acts");
        error(post("/v1/volumes/acts", "{}"), 400, "InvalidInput", "missing ?action=");
        error(given().get("/v1/nothing").then(), 404, "NotFound", "");
    }

    @Test
    void attachingToAnUnknownNodeOrToASecondNodeIsRefused() {
        create("placed", 1);
        await().atMost(WAIT).until(() -> "detached".equals(state("placed")));
        error(post("/v1/volumes/placed?action=attach", "{\"hostId\":\"ghost\"}"), 400, "InvalidInput", "node ghost not found");
        post("/v1/volumes/placed?action=attach", "{\"hostId\":\"ghost\"}").body("fieldName", equalTo("hostId"));
        if (services.context().store().get(Node.class, "other-node").isEmpty()) {
            Node other = Resources.create(Node.class, "other-node");
            services.context().store().create(other);
        }
        post("/v1/volumes/placed?action=attach", "{\"hostId\":\"other-node\"}").statusCode(200);
        error(post("/v1/volumes/placed?action=attach", "{\"hostId\":\"test-node\"}"), 409, "Conflict",
                "volume placed is attached to node other-node, cannot attach it to test-node");
        given().get("/v1/volumes/placed").then().statusCode(200);
        assertEquals("other-node", services.volumes().get("placed").getSpec().nodeID);
        post("/v1/volumes/placed?action=detach", "{}").statusCode(200);
    }

    @Test
    void theNbdFrontendGivesTheEnginesExportAndUnknownFrontendsAreRefused() {
        post("/v1/volumes", "{\"name\":\"bare\",\"size\":\"64Mi\",\"numberOfReplicas\":1,\"frontend\":\"nbd\"}")
                .statusCode(200).body("frontend", equalTo("nbd"));
        attach("bare");
        given().get("/v1/volumes/bare").then().body("endpoint", startsWith("nbd://127.0.0.1:"))
                .body("endpoint", endsWith("/bare")).body("controllers[0].frontendDevice", equalTo(""));
        List<String> before = volumeNames();
        error(post("/v1/volumes", "{\"name\":\"odd\",\"size\":\"64Mi\",\"frontend\":\"iscsi\"}"), 400, "InvalidInput",
                "frontend iscsi is not supported: use blockdev (the block device /dev/longhorn/<volume>) or nbd (the NBD export)");
        assertEquals(before, volumeNames());
        given().delete("/v1/volumes/bare").then().statusCode(200);
        await().atMost(WAIT).until(() -> !volumeNames().contains("bare"));
    }

    @Test
    void deletingAnAttachedVolumeDetachesAndDeletesIt() {
        create("busy", 1);
        attach("busy");
        given().delete("/v1/volumes/busy").then().statusCode(200);
        await().atMost(WAIT).until(() -> !volumeNames().contains("busy"));
        assertEquals(List.of(), FakeBeans.CLUSTER.launcher.running().stream().filter(n -> n.startsWith("busy-")).toList());
    }

    @Test
    void deletingAVolumeWhileItsRestoreRunsIsRefusedSayingWhatWouldBeLost() {
        FakeBeans.CLUSTER.backups.addBackup("restsrc", "backup-restsrc", 32L << 20);
        FakeBeans.CLUSTER.backups.holdJobs(true);
        try {
            post("/v1/volumes", "{\"name\":\"restoring\",\"numberOfReplicas\":1,"
                    + "\"fromBackup\":\"file:///fake?backup=backup-restsrc&volume=restsrc\"}").statusCode(200);
            await().atMost(WAIT).until(() -> !services.volumes().get("restoring").getStatus().restoreJobID.isEmpty());
            error(given().delete("/v1/volumes/restoring").then(), 409, "Conflict", "volume restoring is restoring backup "
                    + "file:///fake?backup=backup-restsrc&volume=restsrc (");
            assertEquals(true, volumeNames().contains("restoring"));
        } finally {
            FakeBeans.CLUSTER.backups.holdJobs(false);
        }
        await().atMost(WAIT).until(() -> services.volumes().get("restoring").getStatus().restoreJobID.isEmpty());
        given().delete("/v1/volumes/restoring").then().statusCode(200);
        await().atMost(WAIT).until(() -> !volumeNames().contains("restoring"));
    }

    @Test
    void aRequestedBackupIsListedInProgressWithItsBackupVolumeAtOnce() {
        create("inprog", 1);
        attach("inprog");
        post("/v1/volumes/inprog?action=snapshotCreate", "{\"name\":\"s1\"}").statusCode(200);
        FakeBeans.CLUSTER.backups.holdJobs(true);
        try {
            post("/v1/volumes/inprog?action=snapshotBackup", "{\"name\":\"s1\"}").statusCode(200);
            // No wait: the backup volume and its backup are there as soon as the request was answered.
            given().get("/v1/backupvolumes").then().statusCode(200).body("data.name", hasItem("inprog"));
            post("/v1/backupvolumes/inprog?action=backupList", "{}").statusCode(200)
                    .body("data.state", equalTo(List.of("InProgress"))).body("data[0].snapshotName", equalTo("s1"));
            await().atMost(WAIT).until(() -> Integer.valueOf(40).equals(
                    post("/v1/backupvolumes/inprog?action=backupList", "{}").extract().path("data[0].progress")));
            // A sync of the target, which does not hold the volume yet, keeps the backup volume.
            post("/v1/backuptargets/default?action=backupTargetUpdate", "{}").statusCode(200);
            await().atMost(WAIT).until(() -> Boolean.FALSE.equals(
                    given().get("/v1/backuptargets/default").then().extract().path("pending")));
            given().get("/v1/backupvolumes/inprog").then().statusCode(200);
            post("/v1/backupvolumes/inprog?action=backupList", "{}").body("data.state", equalTo(List.of("InProgress")));
        } finally {
            FakeBeans.CLUSTER.backups.holdJobs(false);
        }
        await().atMost(WAIT).until(() -> List.of("Completed").equals(
                post("/v1/backupvolumes/inprog?action=backupList", "{}").extract().path("data.state")));
        post("/v1/backupvolumes/inprog?action=backupList", "{}").body("data[0].progress", equalTo(100));
    }

    @Test
    void expansionAndReplicaCountChangesAreChecked() {
        create("grow", 1);
        error(post("/v1/volumes/grow?action=expand", "{\"size\":\"abc\"}"), 400, "InvalidInput", "size: invalid size");
        error(post("/v1/volumes/grow?action=expand", "{\"size\":\"32Mi\"}"), 400, "InvalidInput",
                "is smaller than the volume's size 67108864: volumes cannot shrink");
        error(post("/v1/volumes/grow?action=updateReplicaCount", "{\"replicaCount\":0}"), 400, "InvalidInput",
                "replicaCount must be between 1 and 20, got 0");
        error(post("/v1/volumes/grow?action=updateReplicaCount", "{}"), 400, "InvalidInput", "replicaCount is required");
        given().get("/v1/volumes/grow").then().body("size", equalTo("67108864")).body("numberOfReplicas", equalTo(1));
        post("/v1/volumes/grow?action=expand", "{\"size\":\"128Mi\"}").statusCode(200).body("size", equalTo("134217728"));
        post("/v1/volumes/grow?action=updateReplicaCount", "{\"replicaCount\":2}").statusCode(200)
                .body("numberOfReplicas", equalTo(2));
    }

    @Test
    void snapshotOperationsNeedAnAttachedVolumeAndAnExistingSnapshot() {
        create("snapless", 1);
        error(post("/v1/volumes/snapless?action=snapshotCreate", "{}"), 409, "Conflict", "volume snapless is not attached");
        error(post("/v1/volumes/snapless?action=snapshotBackup", "{\"name\":\"s0\"}"), 409, "Conflict",
                "volume snapless is not attached");
        error(post("/v1/volumes/snapless?action=snapshotRevert", "{\"name\":\"s0\"}"), 409, "Conflict",
                "volume snapless is detached: attach it in maintenance mode");
        // Listing works detached: the tree the engine last reported, here only the head.
        post("/v1/volumes/snapless?action=snapshotList", "{}").statusCode(200)
                .body("data.name", org.hamcrest.Matchers.contains("volume-head"));
        attach("snapless");
        error(post("/v1/volumes/snapless?action=snapshotDelete", "{\"name\":\"ghost\"}"), 404, "NotFound",
                "snapshot ghost of volume snapless not found");
        error(post("/v1/volumes/snapless?action=snapshotCreate", "{\"name\":\"bad name\"}"), 400, "InvalidInput",
                "name: invalid snapshot name");
        error(post("/v1/volumes/snapless?action=snapshotRevert", "{\"name\":\"volume-head\"}"), 400, "InvalidInput",
                "volume-head is the writable head");
        error(post("/v1/volumes/snapless?action=snapshotBackup", "{\"name\":\"ghost\"}"), 404, "NotFound",
                "snapshot ghost of volume snapless not found");
        post("/v1/volumes/snapless?action=snapshotCreate", "{\"name\":\"s1\"}").statusCode(200);
        error(post("/v1/volumes/snapless?action=snapshotCreate", "{\"name\":\"s1\"}"), 409, "NotUnique",
                "snapshot s1 of volume snapless already exists");
        error(post("/v1/volumes/snapless?action=snapshotRevert", "{\"name\":\"s1\"}"), 409, "Conflict", "maintenance mode");
    }

    @Test
    void salvageAndActivateAreRefusedWhenTheyDoNotApply() {
        create("fine", 1);
        error(post("/v1/volumes/fine?action=salvage", "{\"names\":[\"x\"]}"), 409, "Conflict", "not faulted");
        error(post("/v1/volumes/fine?action=salvage", "{}"), 400, "InvalidInput", "names of the replicas to salvage");
        error(post("/v1/volumes/fine?action=activate", "{}"), 409, "Conflict", "volume fine is not a standby (DR) volume");
        error(post("/v1/volumes/fine?action=replicaRemove", "{\"name\":\"ghost\"}"), 404, "NotFound",
                "replica ghost of volume fine not found");
    }

    @Test
    void aStandbyVolumeNeedsABackupAndCannotBeAttached() {
        error(post("/v1/volumes", "{\"name\":\"dr\",\"size\":\"1Gi\",\"standby\":true}"), 400, "InvalidInput",
                "a standby (DR) volume needs fromBackup");
        error(post("/v1/volumes", "{\"name\":\"dr\",\"fromBackup\":\"file:///x\"}"), 400, "InvalidInput",
                "invalid fromBackup");
        error(post("/v1/volumes", "{\"name\":\"dr\",\"fromBackup\":\"file:///fake?backup=nope&volume=gone\"}"), 400,
                "InvalidInput", "backup file:///fake?backup=nope&volume=gone not found");
        given().get("/v1/volumes").then().body("data.name", not(hasItem("dr")));
    }

    @Test
    void recurringJobsAttachToVolumesByLabel() {
        create("joined", 1);
        post("/v1/recurringjobs", "{\"name\":\"nightly\",\"task\":\"snapshot\",\"cron\":\"0 2 * * *\",\"retain\":3,"
                + "\"concurrency\":2,\"groups\":[\"gold\"]}").statusCode(200)
                .body("type", equalTo("recurringJob")).body("retain", equalTo(3)).body("groups", equalTo(List.of("gold")));
        post("/v1/volumes/joined?action=recurringJobAdd", "{\"name\":\"nightly\"}").statusCode(200)
                .body("data.name", equalTo(List.of("nightly"))).body("data[0].isGroup", equalTo(false));
        post("/v1/volumes/joined?action=recurringJobAdd", "{\"name\":\"gold\",\"isGroup\":true}").statusCode(200)
                .body("data.size()", equalTo(2));
        given().get("/v1/volumes/joined").then().body("labels.'recurring-job.longhorn.io/nightly'", equalTo("enabled"));
        post("/v1/volumes/joined?action=recurringJobDelete", "{\"name\":\"nightly\"}").statusCode(200)
                .body("data.name", equalTo(List.of("gold")));
        error(post("/v1/volumes/joined?action=recurringJobAdd", "{\"name\":\"ghost\"}"), 404, "NotFound",
                "recurring job ghost not found");
        given().contentType(ContentType.JSON).body("{\"cron\":\"*/10 * * * *\"}").put("/v1/recurringjobs/nightly").then()
                .statusCode(200).body("cron", equalTo("*/10 * * * *")).body("retain", equalTo(3));
        given().delete("/v1/recurringjobs/nightly").then().statusCode(204);
        error(given().get("/v1/recurringjobs/nightly").then(), 404, "NotFound", "recurring job nightly not found");
    }

    @Test
    void badRecurringJobsAreRefused() {
        error(post("/v1/recurringjobs", "{\"name\":\"j\",\"task\":\"snapshot\",\"cron\":\"every minute\"}"), 400,
                "InvalidInput", "invalid cron \"every minute\"");
        post("/v1/recurringjobs", "{\"name\":\"j\",\"task\":\"snapshot\",\"cron\":\"bad\"}").body("fieldName", equalTo("cron"));
        error(post("/v1/recurringjobs", "{\"name\":\"j\",\"task\":\"dance\",\"cron\":\"* * * * *\"}"), 400, "InvalidInput",
                "invalid task \"dance\"");
        error(post("/v1/recurringjobs", "{\"name\":\"j\",\"task\":\"snapshot\",\"cron\":\"* * * * *\",\"retain\":0}"), 400,
                "InvalidInput", "retain must be between 1 and 100, got 0");
        error(post("/v1/recurringjobs", "{\"name\":\"j\",\"task\":\"backup\",\"cron\":\"* * * * *\",\"concurrency\":0}"),
                400, "InvalidInput", "concurrency must be at least 1");
        error(post("/v1/recurringjobs", "{\"name\":\"j\",\"task\":\"backup\",\"cron\":\"* * * * *\",\"groups\":[\"A B\"]}"),
                400, "InvalidInput", "invalid group \"A B\"");
        given().get("/v1/recurringjobs").then().body("data.name", not(hasItem("j")));
    }

    @Test
    void metricsUseLonghornsNames() {
        create("metered", 1);
        await().atMost(WAIT).until(() -> "detached".equals(state("metered")));
        String text = given().get("/metrics").then().statusCode(200).contentType(containsString("text/plain"))
                .extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("longhorn_volume_state{volume=\"metered\""), text);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("longhorn_volume_capacity_bytes{volume=\"metered\",node=\"\",pvc=\"\",pvc_namespace=\"\"} 67108864"), text);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("# TYPE longhorn_volume_robustness gauge"), text);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("longhorn_disk_capacity_bytes{"), text);
        org.junit.jupiter.api.Assertions.assertTrue(text.contains("longhorn_node_status{"), text);
    }

    @Test
    void eventsTellWhatHappened() {
        create("told", 1);
        await().atMost(WAIT).until(() -> {
            List<String> messages = given().get("/v1/events").then().statusCode(200).extract().path("data.message");
            return messages.stream().anyMatch(m -> m.contains("replica told-r-") && m.contains("scheduled"));
        });
        given().get("/v1/events").then().body("type", equalTo("collection"))
                .body("data[0].involvedObject.kind", notNullValue());
    }
}
