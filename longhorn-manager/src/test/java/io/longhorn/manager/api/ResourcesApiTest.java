package io.longhorn.manager.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/** Settings, nodes, backup targets, backup volumes and engine images through /v1. */
@QuarkusTest
class ResourcesApiTest {
    @org.junit.jupiter.api.BeforeAll
    static void asAdmin() {
        io.longhorn.manager.testing.TestTokens.restAssuredAsAdmin();
    }

    @org.junit.jupiter.api.AfterAll
    static void anonymous() {
        io.longhorn.manager.testing.TestTokens.restAssuredAnonymous();
    }

    private static ValidatableResponse put(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().put(path).then();
    }

    private static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then();
    }

    private static void error(ValidatableResponse r, int status, String code, String message) {
        r.statusCode(status).body("type", equalTo("error")).body("status", equalTo(status)).body("code", equalTo(code))
                .body("message", containsString(message));
    }

    @Test
    void theRootLinksEveryCollection() {
        given().get("/v1").then().statusCode(200).body("type", equalTo("apiVersion"))
                .body("links.volumes", endsWith("/v1/volumes")).body("links.events", endsWith("/v1/events"));
    }

    @Test
    void settingsShowTheirDefaultsAndRefuseBadValues() {
        given().get("/v1/settings").then().statusCode(200).body("data.name", hasItem("default-replica-count"));
        given().get("/v1/settings/replica-soft-anti-affinity").then().statusCode(200)
                .body("value", equalTo("true")).body("definition.defaultValue", equalTo("true"));
        given().get("/v1/settings/backup-target").then().body("value", startsWith("file://"))
                .body("value", endsWith("/backupstore"));
        error(put("/v1/settings/default-replica-count", "{\"value\":\"many\"}"), 400, "InvalidInput",
                "invalid value \"many\" for setting default-replica-count: expected an integer");
        error(put("/v1/settings/default-replica-count", "{\"value\":\"0\"}"), 400, "InvalidInput", "must be between 1 and 20");
        error(put("/v1/settings/default-replica-count", "{}"), 400, "InvalidInput", "value of setting default-replica-count is required");
        error(put("/v1/settings/no-such-setting", "{\"value\":\"1\"}"), 404, "NotFound", "setting no-such-setting not found");
        error(put("/v1/settings/backup-target", "{\"value\":\"ftp://x\"}"), 400, "InvalidInput", "expected s3://");
        given().get("/v1/settings/default-replica-count").then().body("value", equalTo("3"));
        put("/v1/settings/default-replica-count", "{\"value\":\"2\"}").statusCode(200).body("value", equalTo("2"));
        put("/v1/settings/default-replica-count", "{\"value\":\"3\"}").statusCode(200);
    }

    @Test
    void theHostIsTheOneNodeWithItsDefaultDisk() {
        given().get("/v1/nodes").then().statusCode(200).body("data.name", hasItem("test-node"));
        given().get("/v1/nodes/test-node").then().statusCode(200)
                .body("conditions.Ready.status", equalTo("True"))
                .body("disks.values()[0].path", notNullValue());
        error(given().get("/v1/nodes/ghost").then(), 404, "NotFound", "node ghost not found");
    }

    @Test
    void diskUpdatesAreChecked() {
        error(post("/v1/nodes/test-node?action=diskUpdate", "{\"disks\":{\"d\":{\"path\":\"relative/dir\"}}}"), 400,
                "InvalidInput", "path \"relative/dir\" of disk d must be absolute");
        post("/v1/nodes/test-node?action=diskUpdate", "{\"disks\":{\"d\":{\"path\":\"relative/dir\"}}}")
                .body("fieldName", equalTo("disks.d.path"));
        error(post("/v1/nodes/test-node?action=diskUpdate", "{\"disks\":{}}"), 400, "InvalidInput", "a node needs at least one disk");
        error(post("/v1/nodes/test-node?action=diskUpdate",
                "{\"disks\":{\"a\":{\"path\":\"/tmp/x\"},\"b\":{\"path\":\"/tmp/x/\"}}}"), 400, "InvalidInput",
                "path /tmp/x is used by two disks");
        error(post("/v1/nodes/test-node?action=diskUpdate", "{\"disks\":{\"a\":{\"path\":\"/tmp/x\",\"storageReserved\":-1}}}"),
                400, "InvalidInput", "storageReserved of disk a must not be negative");
        error(post("/v1/nodes/test-node?action=fly", "{}"), 400, "InvalidInput", "unknown action \"fly\" for node test-node");
    }

    @Test
    void theDefaultBackupTargetCanBeChangedAndRefusesBadUrls() {
        given().get("/v1/backuptargets").then().statusCode(200).body("data.name", hasItem("default"));
        error(post("/v1/backuptargets/default?action=backupTargetUpdate", "{\"backupTargetURL\":\"ftp://x\"}"), 400,
                "InvalidInput", "invalid backupTargetURL \"ftp://x\"");
        error(post("/v1/backuptargets/default?action=backupTargetUpdate", "{\"pollInterval\":\"soon\"}"), 400,
                "InvalidInput", "invalid pollInterval \"soon\"");
        error(given().get("/v1/backuptargets/ghost").then(), 404, "NotFound", "backup target ghost not found");
        String url = given().get("/v1/backuptargets/default").then().extract().path("backupTargetURL");
        post("/v1/backuptargets/default?action=backupTargetUpdate", "{\"backupTargetURL\":\"" + url + "\",\"pollInterval\":\"30s\"}")
                .statusCode(200).body("pollInterval", equalTo("30s"));
        given().get("/v1/settings/backupstore-poll-interval").then().body("value", equalTo("30"));
        // Once the manager checked the changed target, the status describes it: no longer pending.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("/v1/backuptargets/default").then().body("pending", equalTo(false))
                        .body("available", equalTo(true)));
    }

    @Test
    void unknownBackupVolumesAndActionsAreRefused() {
        error(given().get("/v1/backupvolumes/ghost").then(), 404, "NotFound", "backup volume ghost not found");
        error(post("/v1/backupvolumes/ghost?action=backupList", "{}"), 404, "NotFound", "backup volume ghost not found");
        error(given().delete("/v1/backupvolumes/ghost").then(), 404, "NotFound", "backup volume ghost not found");
    }

    @Test
    void theLocalEngineImageIsDeployed() {
        given().get("/v1/engineimages").then().statusCode(200).body("data[0].state", equalTo("deployed"));
    }
}
