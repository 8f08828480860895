package io.longhorn.manager.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.testing.ManagerProcess;
import io.longhorn.manager.testing.TestTokens;
import io.longhorn.manager.testing.S3Server;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The standalone manager with a backup target on an S3 store that speaks https with a self-signed
 * certificate: the credential secret's {@code AWS_CERT} makes it trusted (through the backup
 * service's {@code Target}), a backup goes there; without it, or with an invalid one, the backup
 * target reports the error and the manager goes on.
 */
class BackupTargetCertIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String BUCKET = "tls-backups";

    private static void secret(Path dataDir, String name, Map<String, String> values) throws Exception {
        Path d = Files.createDirectories(dataDir.resolve("secrets").resolve(name));
        for (Map.Entry<String, String> e : values.entrySet()) {
            Files.writeString(d.resolve(e.getKey()), e.getValue());
        }
    }

    private static void useSecret(ManagerProcess manager, String secret) {
        given().contentType(ContentType.JSON)
                .body("{\"backupTargetURL\":\"s3://" + BUCKET + "@us-east-1/cluster/\",\"credentialSecret\":\"" + secret
                        + "\",\"pollInterval\":\"2s\"}")
                .put(manager.url() + "/v1/backuptargets/default").then().statusCode(200);
    }

    /**
     * Waits until the default backup target uses the secret and is (un)available, an unavailable
     * one with a message holding {@code expected} (the status of the previous secret's check may
     * still be shown for a moment), and returns it.
     */
    private static JsonPath awaitTarget(ManagerProcess manager, String secret, boolean available, String expected) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonPath t = given().get(manager.url() + "/v1/backuptargets/default").then().statusCode(200).extract().jsonPath();
            return secret.equals(t.getString("credentialSecret")) && t.getBoolean("available") == available
                    && (available || t.getString("message").contains(expected));
        });
        return given().get(manager.url() + "/v1/backuptargets/default").then().extract().jsonPath();
    }

    @Test
    void awsCertOfTheCredentialSecretMakesATlsStoreWithAPrivateCertificateUsable() throws Exception {
        assertTrue(ManagerProcess.servicesBuilt(),
                "the replica, engine and backupstore modules must be packaged first: build with -pl longhorn-manager -am");
        Path work = Files.createTempDirectory("manager-cert-it-");
        Path dataDir = Files.createDirectories(work.resolve("data"));
        boolean passed = false;
        ManagerProcess manager = null;
        try (S3Server s3 = S3Server.startTls(BUCKET, work.resolve("pki"))) {
            secret(dataDir, "no-cert", s3.credentials());
            Map<String, String> withCert = new HashMap<>(s3.credentials());
            withCert.put("AWS_CERT", s3.certificatePem());
            secret(dataDir, "with-cert", withCert);
            Map<String, String> badCert = new HashMap<>(s3.credentials());
            badCert.put("AWS_CERT", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
            secret(dataDir, "bad-cert", badCert);
            manager = ManagerProcess.start(dataDir, ManagerProcess.freePort());
            TestTokens.restAssuredAsAdmin();

            useSecret(manager, "no-cert");
            String untrusted = awaitTarget(manager, "no-cert", false, "PKIX path building failed").getString("message");
            assertTrue(untrusted.contains("PKIX path building failed") && untrusted.contains("AWS_CERT"), untrusted);

            useSecret(manager, "bad-cert");
            String invalid = awaitTarget(manager, "bad-cert", false, "invalid AWS_CERT").getString("message");
            assertTrue(invalid.contains("invalid AWS_CERT: certificate 1 is not a valid X.509 certificate"), invalid);
            assertEquals(0, s3.objectCount(BUCKET), "nothing written to the store");

            useSecret(manager, "with-cert");
            awaitTarget(manager, "with-cert", true, "");
            String url = manager.url();
            post(url, "/v1/volumes", "{\"name\":\"tlsvol\",\"size\":\"" + (16L << 20) + "\",\"numberOfReplicas\":1}");
            post(url, "/v1/volumes/tlsvol?action=attach", "{\"disableFrontend\":true}");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> "attached".equals(
                    given().get(url + "/v1/volumes/tlsvol").then().extract().path("state")));
            post(url, "/v1/volumes/tlsvol?action=snapshotCreate", "{\"name\":\"s1\"}");
            post(url, "/v1/volumes/tlsvol?action=snapshotBackup", "{\"name\":\"s1\"}");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                List<String> states = given().contentType(ContentType.JSON).body("{}")
                        .post(url + "/v1/backupvolumes/tlsvol?action=backupList").then().extract().path("data.state");
                return states != null && states.contains("Completed");
            });
            String backupUrl = given().contentType(ContentType.JSON).body("{}")
                    .post(url + "/v1/backupvolumes/tlsvol?action=backupList").then().extract().path("data[0].url");
            assertTrue(backupUrl.startsWith("s3://" + BUCKET + "@us-east-1/cluster/?backup="), backupUrl);
            assertTrue(s3.objectCount(BUCKET) > 0, "the bucket holds the backup");
            passed = true;
        } finally {
            TestTokens.restAssuredAnonymous();
            try {
                if (manager != null) {
                    manager.kill();
                }
            } finally {
                ManagerProcess.killInstances(dataDir);
                if (passed) {
                    ManagerProcess.deleteTree(work);
                } else {
                    System.out.println("kept for inspection: " + work);
                }
            }
        }
    }

    private static void post(String url, String path, String body) {
        given().contentType(ContentType.JSON).body(body).post(url + path).then().statusCode(200);
    }
}
