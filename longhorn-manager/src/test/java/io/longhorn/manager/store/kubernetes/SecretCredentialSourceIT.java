package io.longhorn.manager.store.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.testing.kube.KubeControlPlaneExtension;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backup target credential Secrets read from a real kube-apiserver: every key, the optional
 * multi-line {@code AWS_CERT} included, whether the Secret was written with {@code data} or
 * {@code stringData}.
 */
class SecretCredentialSourceIT {
    @RegisterExtension
    static final KubeControlPlaneExtension KUBE = new KubeControlPlaneExtension(false);

    private static final String PEM = """
            -----BEGIN CERTIFICATE-----
            MIIBdzCCAR2gAwIBAgIUQ2FDZXJ0VGVzdE9uZTAKBggqhkjOPQQDAjARMQ8wDQYD
            VQQDDAZzdG9yZS1hMB4XDTI2MTIwNzAwMDAwMFoXDTI2MTIwOTAwMDAwMFowETEP
            -----END CERTIFICATE-----""";
    private static final Map<String, String> VALUES = Map.of("AWS_ACCESS_KEY_ID", "KEY", "AWS_SECRET_ACCESS_KEY", "SECRET",
            "AWS_ENDPOINTS", "https://minio.longhorn-system:9000", "AWS_CERT", PEM);

    private static KubernetesClient client;

    @BeforeAll
    static void namespace() throws Exception {
        client = KUBE.get().client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(Longhorn.NAMESPACE).endMetadata()
                .build()).create();
    }

    @Test
    void aSecretWrittenWithStringDataIsReadWithItsAwsCert() {
        client.secrets().inNamespace(Longhorn.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                .withName("minio-string").endMetadata().withType("Opaque").withStringData(VALUES).build()).create();
        assertEquals(VALUES, new SecretCredentialSource(client, Longhorn.NAMESPACE).read("minio-string"));
    }

    @Test
    void aSecretWrittenWithBase64DataIsReadWithItsAwsCert() {
        Map<String, String> data = new java.util.TreeMap<>();
        VALUES.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString((v + "\n").getBytes(StandardCharsets.UTF_8))));
        client.secrets().inNamespace(Longhorn.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                .withName("minio-data").endMetadata().withType("Opaque").withData(data).build()).create();
        SecretCredentialSource source = new SecretCredentialSource(client, Longhorn.NAMESPACE);
        assertEquals(VALUES, source.read("minio-data"));
        assertEquals(Map.of(), source.read("no-such-secret"));
    }
}
