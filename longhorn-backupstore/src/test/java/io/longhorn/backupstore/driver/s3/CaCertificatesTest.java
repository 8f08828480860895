package io.longhorn.backupstore.driver.s3;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.testing.SelfSignedCertificate;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AWS_CERT's PEM text to trust material: parsing, what is trusted, and bad input. */
class CaCertificatesTest {
    private static final String AUTH = "ECDHE_ECDSA";

    @TempDir
    static Path tmp;
    private static SelfSignedCertificate first;
    private static SelfSignedCertificate second;
    private static SelfSignedCertificate other;

    @BeforeAll
    static void makeCertificates() throws Exception {
        first = SelfSignedCertificate.create(tmp, "store-a");
        second = SelfSignedCertificate.create(tmp, "store-b");
        other = SelfSignedCertificate.create(tmp, "store-c");
    }

    private static X509Certificate only(String pem) {
        List<X509Certificate> certs = CaCertificates.parse(pem);
        assertEquals(1, certs.size());
        return certs.getFirst();
    }

    @Test
    void aPemCertificateIsTrustedTogetherWithTheJdkDefaultAuthorities() throws Exception {
        X509Certificate a = only(first.pem());
        assertEquals("CN=store-a", a.getSubjectX500Principal().getName());

        X509TrustManager tm = CaCertificates.trustManager(List.of(a));
        assertDoesNotThrow(() -> tm.checkServerTrusted(new X509Certificate[] {a}, AUTH));
        // the JDK's own trust store still counts: every default authority is an accepted issuer
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        X509TrustManager jdk = (X509TrustManager) f.getTrustManagers()[0];
        Set<X509Certificate> accepted = Set.of(tm.getAcceptedIssuers());
        assertTrue(jdk.getAcceptedIssuers().length > 0);
        for (X509Certificate ca : jdk.getAcceptedIssuers()) {
            assertTrue(accepted.contains(ca), ca.getSubjectX500Principal().getName());
        }
        assertEquals(jdk.getAcceptedIssuers().length + 1, accepted.size());
        // ... and the JDK's trust store alone does not trust the certificate
        assertThrows(CertificateException.class, () -> jdk.checkServerTrusted(new X509Certificate[] {a}, AUTH));
    }

    @Test
    void severalCertificatesWithTextAroundThemAreAllTrustedAndNoOthers() throws Exception {
        String bundle = "subject=CN=store-a\n" + first.pem() + "\n# the second store\r\n" + second.pem().replace("\n", "\r\n");
        List<X509Certificate> certs = CaCertificates.parse(bundle);
        assertEquals(List.of("CN=store-a", "CN=store-b"),
                certs.stream().map(c -> c.getSubjectX500Principal().getName()).toList());

        X509TrustManager tm = CaCertificates.trustManager(certs);
        for (X509Certificate c : certs) {
            assertDoesNotThrow(() -> tm.checkServerTrusted(new X509Certificate[] {c}, AUTH));
        }
        X509Certificate c = only(other.pem());
        assertThrows(CertificateException.class, () -> tm.checkServerTrusted(new X509Certificate[] {c}, AUTH));
    }

    @Test
    void garbageIsAnErrorNamingAwsCert() {
        String pem = first.pem();
        int body = pem.indexOf("-----\n") + 6;
        Map<String, String> bad = new HashMap<>();
        bad.put("not PEM at all", "this is not a certificate");
        bad.put("only a key", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n");
        bad.put("bad base64", pem.substring(0, body) + "!!!!" + pem.substring(body + 4));
        bad.put("truncated", pem.substring(0, body + 40) + "\n-----END CERTIFICATE-----\n");
        bad.put("no end line", pem.substring(0, pem.indexOf("-----END")));
        bad.put("mismatched end", pem.replace("-----END CERTIFICATE-----", "-----END PUBLIC KEY-----"));
        bad.put("a good one, then a broken one", pem + "-----BEGIN CERTIFICATE-----\nAAAA\n");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            InvalidInputException ex = assertThrows(InvalidInputException.class, () -> CaCertificates.parse(e.getValue()),
                    e.getKey());
            assertTrue(ex.getMessage().startsWith("invalid AWS_CERT: "), e.getKey() + ": " + ex.getMessage());
        }
        assertTrue(assertThrows(InvalidInputException.class, () -> CaCertificates.parse("garbage")).getMessage()
                .contains("holds no PEM certificate"));
        assertTrue(assertThrows(InvalidInputException.class, () -> CaCertificates.parse(bad.get("truncated")))
                .getMessage().contains("certificate 1 is not a valid X.509 certificate"));
    }

    @Test
    void theSecretsAwsCertKeyBecomesTheSettingsTrustedCertificates() {
        Map<String, String> secret = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "key",
                "AWS_ENDPOINTS", "https://127.0.0.1:9000"));
        assertEquals(List.of(), S3Settings.from(secret).caCertificates());
        secret.put("AWS_CERT", "  \n");
        assertEquals(List.of(), S3Settings.from(secret).caCertificates(), "blank means not set");
        secret.put("AWS_CERT", first.pem() + second.pem());
        assertEquals(Stream.of("CN=store-a", "CN=store-b").collect(Collectors.toList()),
                S3Settings.from(secret).caCertificates().stream().map(c -> c.getSubjectX500Principal().getName()).toList());
        assertTrue(S3Settings.from(secret).toString().contains("caCertificates=2"));
        secret.put("AWS_CERT", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> S3Settings.from(secret));
        assertTrue(e.getMessage().contains("AWS_CERT"), e.getMessage());
    }
}
