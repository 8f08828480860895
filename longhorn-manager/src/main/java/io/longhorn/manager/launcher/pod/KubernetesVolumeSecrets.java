package io.longhorn.manager.launcher.pod;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Volume;
import java.net.HttpURLConnection;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Volume secrets as Kubernetes Secrets, one per volume ({@link PodSpecs#secretName}), owned by the
 * Volume so that the garbage collector removes it with the volume; the engine and replica Pods of
 * the volume mount it read-only (mode 0400) and name the file with {@code --secret-file}.
 */
public final class KubernetesVolumeSecrets {
    /** The Secret's key holding the 32 bytes. */
    public static final String KEY = "secret";

    private final KubernetesClient client;
    private final String namespace;
    /**
     * How long a Secret read is trusted. Every node's manager signs calls with it; when another
     * manager deletes a volume and a new one of the same name gets a new Secret, this manager sees
     * the new one after at most this long.
     */
    static final long CACHE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

    private record Cached(VolumeSecret secret, long readAt) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Cached> services = new ConcurrentHashMap<>();

    /** The Secret the backup service's Deployment mounts and the managers' calls to it prove. */
    public static final String BACKUP_SERVICE_SECRET = "longhorn-backup-service-secret";

    public KubernetesVolumeSecrets(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** The volume's secret, creating its Secret when missing. */
    public VolumeSecret secretFor(String volume) {
        return cached(cache, volume, this::readOrCreate);
    }

    /** {@code key}'s secret from {@code map} while it is fresh, else read (or made) again. */
    private static VolumeSecret cached(Map<String, Cached> map, String key,
                                       java.util.function.Function<String, VolumeSecret> read) {
        long now = System.nanoTime();
        return map.compute(key, (k, c) -> c != null && now - c.readAt < CACHE_NANOS ? c
                : new Cached(read.apply(k), now)).secret();
    }

    private VolumeSecret readOrCreate(String volume) {
        String name = PodSpecs.secretName(volume);
        Secret existing = client.secrets().inNamespace(namespace).withName(name).get();
        if (existing != null) {
            return decode(existing);
        }
        Volume owner = client.resources(Volume.class).inNamespace(namespace).withName(volume).get();
        if (owner == null) {
            throw new IllegalStateException("volume " + volume + " not found: no secret is made for it");
        }
        return create(new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(Map.of(Longhorn.LABEL_VOLUME, volume, PodSpecs.LABEL_MANAGED_BY, PodSpecs.MANAGED_BY))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(Longhorn.GROUP + "/" + Longhorn.VERSION)
                        .withKind("Volume").withName(volume).withUid(owner.getMetadata().getUid()).build())
                .endMetadata());
    }

    /**
     * A service's secret (the backup service's), in the Secret {@code name} of the namespace, made
     * when missing; it stays until uninstall removes the namespace.
     */
    public VolumeSecret serviceSecret(String name) {
        return cached(services, name, this::readOrCreateService);
    }

    private VolumeSecret readOrCreateService(String name) {
        Secret existing = client.secrets().inNamespace(namespace).withName(name).get();
        if (existing != null) {
            return decode(existing);
        }
        return create(new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(Map.of(PodSpecs.LABEL_MANAGED_BY, PodSpecs.MANAGED_BY)).endMetadata());
    }

    /** Creates the Secret with a new random secret, or reads the one another manager made first. */
    private VolumeSecret create(SecretBuilder metadata) {
        VolumeSecret fresh = VolumeSecret.generate();
        Secret secret = metadata.withType("Opaque")
                .withData(Map.of(KEY, Base64.getEncoder().encodeToString(fresh.bytes())))
                .build();
        String name = secret.getMetadata().getName();
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
            return fresh;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            // Another manager made it first: use theirs.
            return decode(client.secrets().inNamespace(namespace).withName(name).get());
        }
    }

    private static VolumeSecret decode(Secret s) {
        String data = s.getData() == null ? null : s.getData().get(KEY);
        if (data == null) {
            throw new IllegalStateException("Secret " + s.getMetadata().getName() + " has no key " + KEY);
        }
        return VolumeSecret.of(Base64.getDecoder().decode(data));
    }

    /** Deletes the volume's Secret (the garbage collector would too, once the Volume is gone). */
    public void delete(String volume) {
        cache.remove(volume);
        try {
            client.secrets().inNamespace(namespace).withName(PodSpecs.secretName(volume)).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                throw e;
            }
        }
    }
}
