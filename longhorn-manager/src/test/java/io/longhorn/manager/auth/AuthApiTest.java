package io.longhorn.manager.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The standalone manager's API behind tokens: no token, a wrong one and a revoked one get 401; a
 * viewer's token reads but an action is 403 and changes nothing; an editor's token works; tokens
 * are made and revoked through the API, stored hashed; refusals are counted in /metrics.
 */
@QuarkusTest
class AuthApiTest {
    private static final String ADMIN = TestTokens.ADMIN;

    @Inject
    ApiAccess access;

    @BeforeAll
    static void noDefaultToken() {
        TestTokens.restAssuredAnonymous();
    }

    private static ValidatableResponse as(String token, String method, String path, String body) {
        var spec = given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
        if (body != null) {
            spec = spec.body(body);
        }
        return spec.request(method, path).then();
    }

    private static String createToken(String name, String role) {
        return as(ADMIN, "POST", "/v1/tokens", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}")
                .statusCode(200).body("role", equalTo(role)).body("token", containsString("lh_"))
                .extract().path("token");
    }

    private static long refused(String reason) {
        String text = given().get("/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("longhorn_api_refused_requests_total\\{reason=\"" + reason + "\"} (\\d+)").matcher(text);
        assertTrue(m.find(), text);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aRequestWithoutATokenIsRefusedWith401AndAJsonError() {
        long before = refused("unauthenticated");
        given().get("/v1/volumes").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
                .body("type", equalTo("error")).body("code", equalTo("Unauthorized"))
                .body("message", containsString("Authorization: Bearer"));
        given().contentType(ContentType.JSON).body("{\"name\":\"anon\",\"size\":\"16Mi\"}").post("/v1/volumes")
                .then().statusCode(401);
        as(ADMIN, "GET", "/v1/volumes/anon", null).statusCode(404);
        assertEquals(before + 2, refused("unauthenticated"));
        given().get("/v1").then().statusCode(401);
        given().get("/healthz").then().statusCode(200).body("status", equalTo("ok"));
    }

    @Test
    void aWrongOrRevokedTokenIsRefusedWith401() {
        as("lh_wrong-token-of-nobody-at-all", "GET", "/v1/volumes", null).statusCode(401)
                .body("message", containsString("unknown, revoked or expired"));
        String token = createToken("revoked-soon", "editor");
        as(token, "GET", "/v1/volumes", null).statusCode(200);
        String id = as(ADMIN, "GET", "/v1/tokens", null).statusCode(200).extract().jsonPath()
                .getString("data.find { it.name == 'revoked-soon' }.id");
        as(ADMIN, "DELETE", "/v1/tokens/" + id, null).statusCode(204);
        as(token, "GET", "/v1/volumes", null).statusCode(401);
        as(ADMIN, "DELETE", "/v1/tokens/" + id, null).statusCode(404);
    }

    @Test
    void aViewerReadsButItsActionIsRefusedWith403AndChangesNothing() {
        String viewer = createToken("viewer-1", "viewer");
        as(ADMIN, "POST", "/v1/volumes", "{\"name\":\"viewed\",\"size\":\"16Mi\",\"numberOfReplicas\":1}").statusCode(200);
        as(viewer, "GET", "/v1/volumes", null).statusCode(200).body("data.name", hasItem("viewed"));
        String before = as(viewer, "GET", "/v1/volumes/viewed", null).statusCode(200).extract().path("state");
        long refusedBefore = refused("forbidden");

        as(viewer, "POST", "/v1/volumes/viewed?action=attach", "{}").statusCode(403)
                .body("type", equalTo("error")).body("code", equalTo("Forbidden"))
                .body("message", containsString("update volumes.longhorn.io"))
                .body("message", containsString("viewer-1"));
        as(viewer, "POST", "/v1/volumes/viewed?action=snapshotCreate", "{\"name\":\"s\"}").statusCode(403)
                .body("message", containsString("create snapshots.longhorn.io"));
        as(viewer, "DELETE", "/v1/volumes/viewed", null).statusCode(403)
                .body("message", containsString("delete volumes.longhorn.io"));
        as(viewer, "POST", "/v1/volumes", "{\"name\":\"by-viewer\",\"size\":\"16Mi\"}").statusCode(403);
        as(viewer, "GET", "/v1/tokens", null).statusCode(403).body("message", containsString("list tokens.longhorn.io"));
        assertEquals(refusedBefore + 5, refused("forbidden"));

        var after = as(ADMIN, "GET", "/v1/volumes/viewed", null).statusCode(200);
        after.body("state", equalTo(before)).body("controllers[0].hostId", not(equalTo("test-node")));
        as(ADMIN, "POST", "/v1/volumes/viewed?action=snapshotList", "{}").statusCode(200)
                .body("data.name", not(hasItem("s")));
        as(ADMIN, "GET", "/v1/volumes/by-viewer", null).statusCode(404);
        // Reads that are actions are a viewer's.
        as(viewer, "POST", "/v1/volumes/viewed?action=snapshotList", "{}").statusCode(200);
    }

    @Test
    void anEditorChangesVolumesButNotTokens() {
        String editor = createToken("editor-1", "editor");
        as(editor, "POST", "/v1/volumes", "{\"name\":\"edited\",\"size\":\"16Mi\",\"numberOfReplicas\":1}").statusCode(200);
        as(editor, "POST", "/v1/volumes/edited?action=attach", "{}").statusCode(200);
        as(editor, "POST", "/v1/tokens", "{\"name\":\"by-editor\",\"role\":\"admin\"}").statusCode(403)
                .body("message", containsString("create tokens.longhorn.io"));
        as(editor, "GET", "/v1/auth/whoami", null).statusCode(200).body("name", equalTo("editor-1"))
                .body("role", equalTo("editor")).body("tokensManaged", equalTo(true));
    }

    @Test
    void tokensAreStoredHashedInAFileOnlyItsOwnerReads() throws Exception {
        String token = createToken("hashed", "viewer");
        var file = access.auth().tokens().orElseThrow().file();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String text = Files.readString(file);
        assertFalse(text.contains(token), "the token itself is not stored");
        assertFalse(text.contains(ADMIN), "the admin token itself is not stored");
        assertTrue(text.contains("\"hashed\""), text);
        as(ADMIN, "GET", "/v1/tokens", null).statusCode(200).body("data.token", not(hasItem(token)))
                .body("data.find { it.name == 'hashed' }.token", nullValue());
    }

    @Test
    void badTokenRequestsNameTheField() {
        as(ADMIN, "POST", "/v1/tokens", "{\"name\":\"x\",\"role\":\"root\"}").statusCode(400)
                .body("fieldName", equalTo("role")).body("message", containsString("viewer, editor or admin"));
        as(ADMIN, "POST", "/v1/tokens", "{\"name\":\"bad name\"}").statusCode(400).body("fieldName", equalTo("name"));
        as(ADMIN, "POST", "/v1/tokens", "{\"name\":\"ttl\",\"ttl\":\"soon\"}").statusCode(400).body("fieldName", equalTo("ttl"));
        createToken("twice", "viewer");
        as(ADMIN, "POST", "/v1/tokens", "{\"name\":\"twice\"}").statusCode(400).body("message", containsString("exists"));
    }

    @Test
    void aLogInAnswersASessionTokenThatALogOutRevokes() {
        given().contentType(ContentType.JSON).body("{\"token\":\"lh_wrong\"}").post("/v1/auth/login").then()
                .statusCode(401).body("fieldName", equalTo("token")).body("message", containsString("wrong token"));
        String viewer = createToken("logs-in", "viewer");
        String session = given().contentType(ContentType.JSON).body("{\"token\":\"" + viewer + "\"}")
                .post("/v1/auth/login").then().statusCode(200).body("role", equalTo("viewer"))
                .body("expires", not(nullValue())).extract().path("token");
        assertFalse(session.equals(viewer));
        as(session, "GET", "/v1/volumes", null).statusCode(200);
        as(session, "POST", "/v1/volumes", "{\"name\":\"by-session\",\"size\":\"16Mi\"}").statusCode(403);
        as(session, "POST", "/v1/auth/logout", "{}").statusCode(204);
        as(session, "GET", "/v1/volumes", null).statusCode(401);
        as(viewer, "GET", "/v1/volumes", null).statusCode(200);
    }
}
