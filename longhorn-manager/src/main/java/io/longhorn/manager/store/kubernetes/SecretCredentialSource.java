package io.longhorn.manager.store.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.longhorn.manager.controller.CredentialSource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Credential secrets as Kubernetes Secrets of Longhorn's namespace (the seed's shape:
 * {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_ENDPOINTS}, optional
 * {@code AWS_CERT}). Values come from {@code data} (base64) and {@code stringData}; a Secret that
 * does not exist reads as empty, so the backup target reports the missing credentials.
 */
public final class SecretCredentialSource implements CredentialSource {
    private final KubernetesClient client;
    private final String namespace;

    public SecretCredentialSource(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Map<String, String> read(String secretName) {
        Map<String, String> values = new TreeMap<>();
        if (secretName == null || secretName.isBlank()) {
            return values;
        }
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("cannot read Secret " + namespace + "/" + secretName + ": " + e.getMessage(), e);
        }
        if (secret == null) {
            return values;
        }
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> values.put(k,
                    new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8).strip()));
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach((k, v) -> values.put(k, v.strip()));
        }
        return values;
    }
}
