package io.longhorn.manager.standalone;

import io.longhorn.manager.controller.CredentialSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Credential secrets as directories: {@code <data-dir>/secrets/<name>/<KEY>} holds the value of KEY,
 * the way Kubernetes mounts a Secret. For an S3 target: {@code AWS_ACCESS_KEY_ID},
 * {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_ENDPOINTS}, and {@code AWS_CERT} (a PEM file) for a store with a
 * private CA. Values are passed on whole (only leading and trailing white space is dropped).
 */
final class FileCredentialSource implements CredentialSource {
    private static final Logger LOG = Logger.getLogger(FileCredentialSource.class);
    private final Path dir;

    FileCredentialSource(Path dir) {
        this.dir = dir;
    }

    @Override
    public Map<String, String> read(String secretName) {
        Map<String, String> values = new TreeMap<>();
        if (secretName == null || secretName.isEmpty() || secretName.contains("/") || secretName.startsWith(".")) {
            return values;
        }
        Path secret = dir.resolve(secretName);
        if (!Files.isDirectory(secret)) {
            return values;
        }
        try (Stream<Path> files = Files.list(secret)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                values.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            LOG.warnf("cannot read secret %s: %s", secretName, e.getMessage());
        }
        return values;
    }
}
