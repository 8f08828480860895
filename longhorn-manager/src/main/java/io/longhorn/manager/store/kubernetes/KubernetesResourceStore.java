package io.longhorn.manager.store.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.ConflictException;
import io.longhorn.manager.store.ResourceEvent;
import io.longhorn.manager.store.ResourceListener;
import io.longhorn.manager.store.ResourceNotFoundException;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.StoreException;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * The {@link ResourceStore} backed by the Kubernetes API server: the Longhorn resources are the
 * {@code longhorn.io/v1beta2} custom resources of one namespace.
 *
 * <ul>
 *   <li>Reads go to the API server, so a caller always reads its own writes.</li>
 *   <li>{@code update} writes the object (the API server keeps the status: the CRDs have the status
 *   subresource); {@code updateStatus} writes through {@code /status}. A stale resourceVersion is a
 *   409 from the server and a {@link ConflictException} here, which makes a reconciler requeue. An
 *   object without a resourceVersion is written over the current one, as the standalone store
 *   does.</li>
 *   <li>Deletion, finalizers and generation are the API server's own.</li>
 *   <li>{@code watch} shares one informer per kind among that kind's listeners: its
 *   list-then-watch (with re-lists after a lost watch) feeds ADDED, MODIFIED and DELETED events,
 *   on the informer's thread. A new listener first hears of every existing object as ADDED.</li>
 *   <li>A write the CRD's schema refuses is an {@link InvalidResourceException} naming the
 *   fields.</li>
 * </ul>
 */
public final class KubernetesResourceStore implements ResourceStore, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubernetesResourceStore.class);
    private static final int UNPROCESSABLE = 422;

    private final KubernetesClient client;
    private final String namespace;
    private final boolean ownsClient;
    private final Map<Class<?>, KindWatch<?>> watches = new HashMap<>();

    /** A store over the given client, in the namespace; the caller keeps and closes the client. */
    public KubernetesResourceStore(KubernetesClient client, String namespace) {
        this(client, namespace, false);
    }

    private KubernetesResourceStore(KubernetesClient client, String namespace, boolean ownsClient) {
        this.client = client;
        this.namespace = namespace;
        this.ownsClient = ownsClient;
    }

    /**
     * A store with a client configured as kubectl's is (in a pod: its service account; else
     * {@code KUBECONFIG} or {@code ~/.kube/config}) in Longhorn's namespace.
     */
    public static KubernetesResourceStore fromEnvironment() {
        KubernetesClient client = new KubernetesClientBuilder().build();
        LOG.infof("resources in the Kubernetes API at %s, namespace %s", client.getMasterUrl(), Longhorn.NAMESPACE);
        return new KubernetesResourceStore(client, Longhorn.NAMESPACE, true);
    }

    public String namespace() {
        return namespace;
    }

    /** The client, for the parts of the Kubernetes runtime that read other objects (Secrets). */
    public KubernetesClient client() {
        return client;
    }

    /** The setting defaults of the ConfigMap {@code longhorn-default-setting} in this namespace. */
    public Map<String, String> defaultSettings() {
        try {
            return DefaultSettingsConfigMap.read(client, namespace);
        } catch (KubernetesClientException e) {
            throw new StoreException("Kubernetes API: ConfigMap " + DefaultSettingsConfigMap.NAME + ": " + message(e), e);
        }
    }

    @Override
    public <T extends HasMetadata> Optional<T> get(Class<T> kind, String name) {
        try {
            return Optional.ofNullable(api(kind).withName(name).get());
        } catch (KubernetesClientException e) {
            throw translate(e, kind, name);
        }
    }

    @Override
    public <T extends HasMetadata> List<T> list(Class<T> kind) {
        try {
            return api(kind).list().getItems();
        } catch (KubernetesClientException e) {
            throw translate(e, kind, "");
        }
    }

    /** Lets the API server select by labels. */
    @Override
    public <T extends HasMetadata> List<T> list(Class<T> kind, Map<String, String> labels) {
        try {
            return api(kind).withLabels(labels).list().getItems();
        } catch (KubernetesClientException e) {
            throw translate(e, kind, "");
        }
    }

    @Override
    public <T extends HasMetadata> T create(T resource) {
        Class<T> kind = kindOf(resource);
        String name = Resources.name(resource);
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(kind.getSimpleName() + " has no name");
        }
        T copy = Resources.copy(resource);
        copy.getMetadata().setNamespace(namespace);
        copy.getMetadata().setResourceVersion(null);
        copy.getMetadata().setUid(null);
        copy.getMetadata().setCreationTimestamp(null);
        copy.getMetadata().setDeletionTimestamp(null);
        try {
            // The status subresource makes the API server drop the status of a create.
            return api(kind).resource(copy).create();
        } catch (KubernetesClientException e) {
            throw translate(e, kind, name);
        }
    }

    @Override
    public <T extends HasMetadata> T update(T resource) {
        return write(resource, false);
    }

    @Override
    public <T extends HasMetadata> T updateStatus(T resource) {
        return write(resource, true);
    }

    private <T extends HasMetadata> T write(T resource, boolean status) {
        Class<T> kind = kindOf(resource);
        String name = Resources.name(resource);
        T copy = Resources.copy(resource);
        copy.getMetadata().setNamespace(namespace);
        try {
            String version = copy.getMetadata().getResourceVersion();
            if (version == null || version.isEmpty()) {
                // Custom resources refuse an unconditional update: write over the current version.
                T current = api(kind).withName(name).get();
                if (current == null) {
                    throw new ResourceNotFoundException(describe(kind, name) + " not found");
                }
                copy.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            }
            Resource<T> r = api(kind).resource(copy);
            return status ? r.updateStatus() : r.update();
        } catch (KubernetesClientException e) {
            throw translate(e, kind, name);
        }
    }

    @Override
    public <T extends HasMetadata> boolean delete(Class<T> kind, String name) {
        try {
            return !api(kind).withName(name).delete().isEmpty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return false;
            }
            throw translate(e, kind, name);
        }
    }

    @Override
    public <T extends HasMetadata> Subscription watch(Class<T> kind, ResourceListener<T> listener) {
        KindWatch<T> w;
        synchronized (watches) {
            @SuppressWarnings("unchecked")
            KindWatch<T> existing = (KindWatch<T>) watches.get(kind);
            w = existing;
            if (w == null) {
                w = new KindWatch<>();
                watches.put(kind, w);
                w.listeners.add(listener);
                w.informer = api(kind).inform(w, 0);
                return subscription(kind, w, listener);
            }
            w.listeners.add(listener);
        }
        // A later subscriber hears of the objects that exist, as the first one did from the informer.
        for (T obj : w.informer.getStore().list()) {
            deliver(listener, ResourceEvent.Type.ADDED, obj);
        }
        return subscription(kind, w, listener);
    }

    private <T extends HasMetadata> Subscription subscription(Class<T> kind, KindWatch<T> w, ResourceListener<T> listener) {
        return () -> {
            synchronized (watches) {
                w.listeners.remove(listener);
                if (w.listeners.isEmpty() && watches.get(kind) == w) {
                    watches.remove(kind);
                    w.informer.close();
                }
            }
        };
    }

    /** One informer per kind, shared by that kind's listeners. */
    private static final class KindWatch<T extends HasMetadata> implements ResourceEventHandler<T> {
        final List<ResourceListener<T>> listeners = new CopyOnWriteArrayList<>();
        SharedIndexInformer<T> informer;

        @Override
        public void onAdd(T obj) {
            listeners.forEach(l -> deliver(l, ResourceEvent.Type.ADDED, obj));
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            listeners.forEach(l -> deliver(l, ResourceEvent.Type.MODIFIED, newObj));
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            listeners.forEach(l -> deliver(l, ResourceEvent.Type.DELETED, obj));
        }
    }

    private static <T extends HasMetadata> void deliver(ResourceListener<T> listener, ResourceEvent.Type type, T object) {
        try {
            // The informer's cache holds this object: each listener gets its own copy.
            listener.onEvent(new ResourceEvent<>(type, Resources.copy(object)));
        } catch (RuntimeException e) {
            LOG.warnf(e, "listener of %s failed on %s", Resources.plural(object.getClass()), Resources.name(object));
        }
    }

    private <T extends HasMetadata> NonNamespaceOperation<T, KubernetesResourceList<T>, Resource<T>> api(Class<T> kind) {
        return client.resources(kind).inNamespace(namespace);
    }

    private static RuntimeException translate(KubernetesClientException e, Class<?> kind, String name) {
        String what = describe(kind, name);
        String reason = e.getStatus() != null ? e.getStatus().getReason() : null;
        return switch (e.getCode()) {
            case HttpURLConnection.HTTP_NOT_FOUND -> new ResourceNotFoundException(what + " not found");
            case HttpURLConnection.HTTP_CONFLICT -> "AlreadyExists".equals(reason)
                    ? new AlreadyExistsException(what + " already exists")
                    : new ConflictException("the object has been modified: " + what + ": " + message(e));
            case UNPROCESSABLE -> new InvalidResourceException(what + " is invalid: " + message(e), e);
            default -> new StoreException("Kubernetes API: " + what + ": " + message(e), e);
        };
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    private static String describe(Class<?> kind, String name) {
        return kind.getSimpleName().toLowerCase() + (name.isEmpty() ? "" : " " + name);
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> Class<T> kindOf(T resource) {
        return (Class<T>) resource.getClass();
    }

    @Override
    public void close() {
        synchronized (watches) {
            watches.values().forEach(w -> w.informer.close());
            watches.clear();
        }
        if (ownsClient) {
            client.close();
        }
    }
}
