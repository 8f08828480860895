package io.longhorn.manager.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.testing.StandaloneManager;
import io.longhorn.manager.testing.Tools;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Volumes made from other volumes with the real manager, engine, replica and backup service
 * processes and no backup target: a volume from a snapshot ({@code snap://}), a clone of an attached
 * volume and a clone of a detached one ({@code vol://}), each compared byte for byte with what it
 * was made from by {@code qemu-img compare}, and a clone of a volume never attached, all zeros; the
 * snapshots taken for the clones are gone afterwards.
 * Bad dataSource values are refused with 400 and create nothing. The steps build on each other.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolumeCloneIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final long SIZE = 32L << 20;


    @org.junit.jupiter.api.extension.RegisterExtension
    static final StandaloneManager MANAGER = new StandaloneManager("clone-it-");



    private static String url(String path) {
        return MANAGER.url(path);
    }

    private static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(url(path)).then();
    }

    private static JsonPath volume(String name) {
        return given().get(url("/v1/volumes/" + name)).then().statusCode(200).extract().jsonPath();
    }

    private static String attach(String name) {
        post("/v1/volumes/" + name + "?action=attach", "{}").statusCode(200);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonPath v = volume(name);
            assertEquals("attached", v.getString("state"), "state of " + name);
            assertEquals("healthy", v.getString("robustness"), "robustness of " + name);
        });
        return volume(name).getString("endpoint");
    }

    private static void detach(String name) {
        post("/v1/volumes/" + name + "?action=detach", "{}").statusCode(200);
        await().atMost(WAIT).until(() -> "detached".equals(volume(name).getString("state")));
    }

    /** Creates a volume from a dataSource and waits until the copy completed and it is detached. */
    private static void createFrom(String name, String dataSource) {
        post("/v1/volumes", "{\"name\":\"" + name + "\",\"dataSource\":\"" + dataSource
                + "\",\"numberOfReplicas\":2,\"frontend\":\"nbd\"}").statusCode(200)
                .body("size", equalTo(String.valueOf(SIZE))).body("dataSource", equalTo(dataSource));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonPath v = volume(name);
            assertEquals("completed", v.getString("cloneStatus.state"), "clone status of " + name + ": "
                    + v.getString("cloneStatus") + " " + v.getString("conditions"));
            assertEquals("detached", v.getString("state"));
        });
        JsonPath v = volume(name);
        assertEquals(100, v.getInt("cloneStatus.progress"));
        assertEquals("CloneCompleted", v.getString("conditions.Clone.reason"));
    }

    private static List<String> snapshots(String volume) {
        JsonPath list = post("/v1/volumes/" + volume + "?action=snapshotList", "{}").statusCode(200).extract().jsonPath();
        List<Map<String, Object>> data = list.getList("data");
        return data.stream().map(s -> (String) s.get("name")).filter(n -> !n.equals("volume-head")).sorted().toList();
    }

    private static void assertSame(String a, String b) throws Exception {
        Tools.Result same = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", a, b);
        assertEquals(0, same.exit(), same.output());
    }

    @Test
    @Order(1)
    void withNoBackupTargetAVolumeMadeFromASnapshotHoldsTheSnapshotsBytes() throws Exception {
        given().contentType(ContentType.JSON).body("{\"value\":\"\"}").put(url("/v1/settings/backup-target")).then()
                .statusCode(200);
        given().get(url("/v1/settings/backup-target")).then().body("value", equalTo(""));
        post("/v1/volumes", "{\"name\":\"src\",\"size\":\"" + SIZE + "\",\"numberOfReplicas\":2,\"frontend\":\"nbd\"}")
                .statusCode(200);
        String src = attach("src");
        Tools.writePattern(src, 0xab, "0", "4M");
        Tools.writePattern(src, 0xcd, "20M", "1M");
        post("/v1/volumes/src?action=snapshotCreate", "{\"name\":\"s1\"}").statusCode(200);
        Tools.writePattern(src, 0xef, "0", "1M"); // after the snapshot: not in it

        createFrom("fromsnap", "snap://src/s1");
        assertEquals("src", volume("fromsnap").getString("cloneStatus.sourceVolume"));
        assertEquals("s1", volume("fromsnap").getString("cloneStatus.snapshot"));
        String endpoint = attach("fromsnap");
        Path expected = MANAGER.dataDir().resolveSibling("expected.img");
        byte[] image = new byte[(int) SIZE];
        Arrays.fill(image, 0, 4 << 20, (byte) 0xab);
        Arrays.fill(image, 20 << 20, 21 << 20, (byte) 0xcd);
        Files.write(expected, image);
        assertSame(expected.toString(), endpoint);
        Tools.Result differs = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", endpoint, src);
        assertNotEquals(0, differs.exit(), "the source moved on after the snapshot: " + differs.output());
        assertEquals(List.of("s1"), snapshots("src"), "a snap:// copy leaves the source's snapshots as they were");
        detach("fromsnap");
    }

    @Test
    @Order(2)
    void aCloneOfAnAttachedVolumeHoldsItsBytesAndItsSnapshotIsRemovedAfterwards() throws Exception {
        createFrom("clone1", "vol://src");
        assertEquals("clone-clone1", volume("clone1").getString("cloneStatus.snapshot"));
        assertFalse(snapshots("src").contains("clone-clone1"), "snapshots of src: " + snapshots("src"));
        String endpoint = attach("clone1");
        assertSame(volume("src").getString("endpoint"), endpoint);
        detach("clone1");
    }

    @Test
    @Order(3)
    void aCloneOfADetachedVolumeHoldsItsBytesAndLeavesItDetached() throws Exception {
        String src = volume("src").getString("endpoint");
        Tools.writePattern(src, 0x5a, "8M", "2M");
        detach("src");
        createFrom("clone2", "vol://src");
        await().atMost(WAIT).until(() -> "detached".equals(volume("src").getString("state")));
        String clone = attach("clone2");
        String source = attach("src");
        assertSame(source, clone);
        Tools.readPattern(clone, 0x5a, "8M", "2M").ok();
        assertEquals(List.of("s1"), snapshots("src"), "the snapshot taken for the clone is gone");
    }

    @Test
    @Order(4)
    void aCloneOfAVolumeNeverAttachedIsEmpty() throws Exception {
        post("/v1/volumes", "{\"name\":\"blank\",\"size\":\"" + SIZE + "\",\"numberOfReplicas\":1,\"frontend\":\"nbd\"}")
                .statusCode(200);
        createFrom("blank-clone", "vol://blank");
        Path zeros = MANAGER.dataDir().resolveSibling("zeros.img");
        Files.write(zeros, new byte[(int) SIZE]);
        assertSame(zeros.toString(), attach("blank-clone"));
        detach("blank-clone");
    }

    @Test
    @Order(5)
    void badDataSourcesAreRefusedWith400NamingTheFieldAndCreateNothing() {
        record Bad(String body, String field, String says) {
        }
        for (Bad bad : List.of(
                new Bad("\"dataSource\":\"src\"", "dataSource", "expected vol://<volume> or snap://<volume>/<snapshot>"),
                new Bad("\"dataSource\":\"snap://src\"", "dataSource", "expected snap://<volume>/<snapshot>"),
                new Bad("\"dataSource\":\"vol://nosuch\"", "dataSource", "volume nosuch not found"),
                new Bad("\"dataSource\":\"snap://src/nosuch\"", "dataSource", "snapshot nosuch of volume src not found"),
                new Bad("\"dataSource\":\"vol://src\",\"size\":\"64Mi\"", "size", "differs from the size of dataSource"))) {
            post("/v1/volumes", "{\"name\":\"bad\",\"numberOfReplicas\":1," + bad.body() + "}").statusCode(400)
                    .body("fieldName", equalTo(bad.field())).body("message", containsString(bad.says()));
            given().get(url("/v1/volumes/bad")).then().statusCode(404);
        }
    }
}
