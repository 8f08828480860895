package io.longhorn.manager.store.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.ConflictException;
import io.longhorn.manager.store.ResourceEvent;
import io.longhorn.manager.store.ResourceListener;
import io.longhorn.manager.store.ResourceNotFoundException;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * A {@link ResourceStore} in memory, optionally persisted by a {@link JsonFileJournal}. Writes are
 * serialized by one lock (the control plane writes a few objects per second; simplicity wins);
 * listeners are called after the lock is released.
 */
public final class LocalResourceStore implements ResourceStore {
    private static final Logger LOG = Logger.getLogger(LocalResourceStore.class);

    /** plural to (name to object as JSON). */
    private final Map<String, TreeMap<String, ObjectNode>> objects = new ConcurrentHashMap<>();
    private final Map<String, List<ResourceListener<?>>> listeners = new ConcurrentHashMap<>();
    private final JsonFileJournal journal;
    private final Object lock = new Object();
    private long resourceVersion;

    /** A store that keeps nothing across restarts (tests). */
    public LocalResourceStore() {
        this(null);
    }

    /** A store persisted by the journal; loads what the journal holds. */
    public LocalResourceStore(JsonFileJournal journal) {
        this.journal = journal;
        if (journal != null) {
            for (JsonFileJournal.Entry e : journal.loadAll()) {
                objects.computeIfAbsent(e.plural(), k -> new TreeMap<>()).put(e.name(), e.object());
                resourceVersion = Math.max(resourceVersion, parseVersion(e.object()));
            }
        }
    }

    @Override
    public <T extends HasMetadata> Optional<T> get(Class<T> kind, String name) {
        ObjectNode node;
        synchronized (lock) {
            node = table(kind).get(name);
        }
        // Stored trees are never changed after a commit (writes store new trees): read outside the lock.
        return node == null ? Optional.empty() : Optional.of(toObject(node, kind));
    }

    @Override
    public <T extends HasMetadata> List<T> list(Class<T> kind) {
        List<ObjectNode> nodes;
        synchronized (lock) {
            nodes = new ArrayList<>(table(kind).values());
        }
        return nodes.stream().map(n -> toObject(n, kind)).toList();
    }

    /** Filters on the stored JSON first, so that only matching objects are deserialized. */
    @Override
    public <T extends HasMetadata> List<T> list(Class<T> kind, Map<String, String> labels) {
        List<ObjectNode> nodes = new ArrayList<>();
        synchronized (lock) {
            for (ObjectNode n : table(kind).values()) {
                JsonNode have = n.path("metadata").path("labels");
                if (labels.entrySet().stream().allMatch(e -> e.getValue().equals(have.path(e.getKey()).asText(null)))) {
                    nodes.add(n);
                }
            }
        }
        return nodes.stream().map(n -> toObject(n, kind)).toList();
    }

    @Override
    public <T extends HasMetadata> T create(T resource) {
        Class<T> kind = kindOf(resource);
        String name = Resources.name(resource);
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(kind.getSimpleName() + " has no name");
        }
        ObjectNode node;
        synchronized (lock) {
            if (table(kind).containsKey(name)) {
                throw new AlreadyExistsException(kind.getSimpleName().toLowerCase() + " " + name + " already exists");
            }
            node = Resources.JSON.valueToTree(resource);
            // As with a status subresource, a create sets no status: controllers own it.
            node.remove("status");
            ObjectNode meta = (ObjectNode) node.get("metadata");
            meta.put("uid", UUID.randomUUID().toString());
            meta.put("creationTimestamp", now());
            meta.put("generation", 1);
            meta.remove("deletionTimestamp");
            commit(kind, name, node);
        }
        return fire(kind, ResourceEvent.Type.ADDED, node);
    }

    @Override
    public <T extends HasMetadata> T update(T resource) {
        return write(resource, false);
    }

    @Override
    public <T extends HasMetadata> T updateStatus(T resource) {
        return write(resource, true);
    }

    private <T extends HasMetadata> T write(T resource, boolean statusOnly) {
        Class<T> kind = kindOf(resource);
        String name = Resources.name(resource);
        ObjectNode next;
        boolean removed;
        synchronized (lock) {
            ObjectNode stored = table(kind).get(name);
            if (stored == null) {
                throw new ResourceNotFoundException(kind.getSimpleName().toLowerCase() + " " + name + " not found");
            }
            checkVersion(kind, name, stored, resource.getMetadata().getResourceVersion());
            ObjectNode given = Resources.JSON.valueToTree(resource);
            next = statusOnly ? withStatus(stored, given) : withSpec(stored, given);
            ObjectNode meta = (ObjectNode) next.get("metadata");
            removed = meta.hasNonNull("deletionTimestamp") && isEmpty(meta.get("finalizers"));
            if (removed) {
                table(kind).remove(name);
                if (journal != null) {
                    journal.remove(Resources.plural(kind), name);
                }
            } else {
                commit(kind, name, next);
            }
        }
        return fire(kind, removed ? ResourceEvent.Type.DELETED : ResourceEvent.Type.MODIFIED, next);
    }

    @Override
    public <T extends HasMetadata> boolean delete(Class<T> kind, String name) {
        ObjectNode node;
        boolean removed;
        synchronized (lock) {
            ObjectNode stored = table(kind).get(name);
            if (stored == null) {
                return false;
            }
            node = stored.deepCopy();
            ObjectNode meta = (ObjectNode) node.get("metadata");
            removed = isEmpty(meta.get("finalizers"));
            if (removed) {
                table(kind).remove(name);
                if (journal != null) {
                    journal.remove(Resources.plural(kind), name);
                }
            } else if (!meta.hasNonNull("deletionTimestamp")) {
                meta.put("deletionTimestamp", now());
                commit(kind, name, node);
            } else {
                return true;
            }
        }
        fire(kind, removed ? ResourceEvent.Type.DELETED : ResourceEvent.Type.MODIFIED, node);
        return true;
    }

    @Override
    public <T extends HasMetadata> Subscription watch(Class<T> kind, ResourceListener<T> listener) {
        List<ResourceListener<?>> list = listeners.computeIfAbsent(Resources.plural(kind), k -> new CopyOnWriteArrayList<>());
        list.add(listener);
        return () -> list.remove(listener);
    }

    private ObjectNode withSpec(ObjectNode stored, ObjectNode given) {
        ObjectNode next = given.deepCopy();
        if (stored.has("status")) {
            next.set("status", stored.get("status").deepCopy());
        } else {
            next.remove("status");
        }
        ObjectNode meta = (ObjectNode) next.get("metadata");
        ObjectNode oldMeta = (ObjectNode) stored.get("metadata");
        for (String serverField : List.of("uid", "creationTimestamp", "deletionTimestamp")) {
            if (oldMeta.has(serverField)) {
                meta.set(serverField, oldMeta.get(serverField));
            } else {
                meta.remove(serverField);
            }
        }
        long generation = oldMeta.path("generation").asLong(1);
        if (!specOf(stored).equals(specOf(next))) {
            generation++;
        }
        meta.put("generation", generation);
        return next;
    }

    private static ObjectNode withStatus(ObjectNode stored, ObjectNode given) {
        ObjectNode next = stored.deepCopy();
        if (given.has("status")) {
            next.set("status", given.get("status").deepCopy());
        }
        return next;
    }

    /** Everything but metadata and status: what counts as a spec change (a Setting's value too). */
    private static ObjectNode specOf(ObjectNode node) {
        ObjectNode copy = node.deepCopy();
        copy.remove("metadata");
        copy.remove("status");
        return copy;
    }

    private void checkVersion(Class<?> kind, String name, ObjectNode stored, String given) {
        String current = stored.path("metadata").path("resourceVersion").asText("");
        if (given != null && !given.isEmpty() && !given.equals(current)) {
            throw new ConflictException("the object has been modified: " + kind.getSimpleName().toLowerCase() + " " + name
                    + " is at version " + current + ", not " + given);
        }
    }

    private void commit(Class<?> kind, String name, ObjectNode node) {
        resourceVersion++;
        ((ObjectNode) node.get("metadata")).put("resourceVersion", Long.toString(resourceVersion));
        String plural = Resources.plural(kind.asSubclass(HasMetadata.class));
        if (journal != null) {
            journal.save(plural, name, node);
        }
        objects.computeIfAbsent(plural, k -> new TreeMap<>()).put(name, node);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <T extends HasMetadata> T fire(Class<T> kind, ResourceEvent.Type type, ObjectNode node) {
        T object = toObject(node, kind);
        List<ResourceListener<?>> list = listeners.get(Resources.plural(kind));
        if (list != null) {
            for (ResourceListener l : list) {
                try {
                    l.onEvent(new ResourceEvent<>(type, toObject(node, kind)));
                } catch (RuntimeException e) {
                    LOG.warnf(e, "listener of %s failed on %s", Resources.plural(kind), Resources.name(object));
                }
            }
        }
        return object;
    }

    private TreeMap<String, ObjectNode> table(Class<? extends HasMetadata> kind) {
        return objects.computeIfAbsent(Resources.plural(kind), k -> new TreeMap<>());
    }

    private static <T> T toObject(ObjectNode node, Class<T> kind) {
        try {
            return Resources.JSON.treeToValue(node, kind);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read stored " + kind.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> Class<T> kindOf(T resource) {
        return (Class<T>) resource.getClass();
    }

    private static boolean isEmpty(JsonNode finalizers) {
        return finalizers == null || finalizers.isNull() || finalizers.isEmpty();
    }

    private static long parseVersion(ObjectNode node) {
        try {
            return Long.parseLong(node.path("metadata").path("resourceVersion").asText("0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
