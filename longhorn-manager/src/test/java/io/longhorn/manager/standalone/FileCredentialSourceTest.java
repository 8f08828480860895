package io.longhorn.manager.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.longhorn.api.backup.Target;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.backup.Targets;
import io.longhorn.manager.model.BackupTarget;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.testing.HarnessTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Standalone credential secrets ({@code <data-dir>/secrets/<name>/<KEY>}) and the backup service
 * {@link Target} built from them: every key, {@code AWS_CERT}'s multi-line PEM included, reaches it.
 */
class FileCredentialSourceTest extends HarnessTest {
    /** Two PEM blocks, as a CA bundle file holds them (the manager passes them on; the backup service parses them). */
    private static final String PEM = """
            -----BEGIN CERTIFICATE-----
            MIIBdzCCAR2gAwIBAgIUQ2FDZXJ0VGVzdE9uZTAKBggqhkjOPQQDAjARMQ8wDQYD
            VQQDDAZzdG9yZS1hMB4XDTI2MTIwNzAwMDAwMFoXDTI2MTIwOTAwMDAwMFowETEP
            -----END CERTIFICATE-----
            -----BEGIN CERTIFICATE-----
            MIIBdzCCAR2gAwIBAgIUQ2FDZXJ0VGVzdFR3bzAKBggqhkjOPQQDAjARMQ8wDQYD
            -----END CERTIFICATE-----""";

    private Path secret(String name, Map<String, String> values) throws Exception {
        Path d = Files.createDirectories(dir.resolve("secrets").resolve(name));
        for (Map.Entry<String, String> e : values.entrySet()) {
            Files.writeString(d.resolve(e.getKey()), e.getValue());
        }
        return d;
    }

    @Test
    void everyKeyOfASecretDirectoryIsReadAwsCertWithItsLinesIntact() throws Exception {
        secret("s3", Map.of("AWS_ACCESS_KEY_ID", "KEY", "AWS_SECRET_ACCESS_KEY", "SECRET\n",
                "AWS_ENDPOINTS", "https://minio.example:9000", "AWS_CERT", PEM + "\n"));
        FileCredentialSource source = new FileCredentialSource(dir.resolve("secrets"));
        assertEquals(Map.of("AWS_ACCESS_KEY_ID", "KEY", "AWS_SECRET_ACCESS_KEY", "SECRET",
                "AWS_ENDPOINTS", "https://minio.example:9000", "AWS_CERT", PEM), source.read("s3"));
        assertEquals(Map.of(), source.read("missing"));
        assertEquals(Map.of(), source.read("../secrets/s3"));
        assertEquals(Map.of(), source.read(""));
    }

    @Test
    void theBackupTargetsTargetCarriesAwsCertToTheBackupService() throws Exception {
        secret("tls-store", Map.of("AWS_ACCESS_KEY_ID", "KEY", "AWS_SECRET_ACCESS_KEY", "SECRET",
                "AWS_ENDPOINTS", "https://minio.example:9000", "AWS_CERT", PEM));
        ControllerContext ctx = new ControllerContext(m.ctx.store(), m.ctx.launcher(), m.ctx.engines(), m.ctx.backups(),
                new FileCredentialSource(dir.resolve("secrets")), m.ctx.settings(), m.ctx.events(), m.ctx.nodeID(),
                m.ctx.clock(), m.ctx.monitorInterval());
        BackupTarget bt = Resources.create(BackupTarget.class, "tls");
        bt.getSpec().backupTargetURL = "s3://bucket@us-east-1/longhorn";
        bt.getSpec().credentialSecret = "tls-store";
        m.store.create(bt);

        Target target = Targets.of(ctx, "tls").orElseThrow();
        assertEquals("s3://bucket@us-east-1/longhorn", target.getUrl());
        assertEquals(PEM, target.getCredentialsMap().get("AWS_CERT"));
        assertEquals(Map.of("AWS_ACCESS_KEY_ID", "KEY", "AWS_SECRET_ACCESS_KEY", "SECRET",
                "AWS_ENDPOINTS", "https://minio.example:9000", "AWS_CERT", PEM), target.getCredentialsMap());
        // what goes over the wire comes back the same
        assertEquals(PEM, Target.parseFrom(target.toByteArray()).getCredentialsOrThrow("AWS_CERT"));
    }
}
