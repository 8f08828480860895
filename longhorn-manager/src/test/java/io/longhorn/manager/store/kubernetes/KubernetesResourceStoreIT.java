package io.longhorn.manager.store.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.longhorn.manager.model.Condition;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.model.Setting;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.model.VolumeRobustness;
import io.longhorn.manager.model.VolumeState;
import io.longhorn.manager.model.VolumeStatus;
import io.longhorn.manager.standalone.ResourceStores;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.ConflictException;
import io.longhorn.manager.store.ResourceEvent;
import io.longhorn.manager.store.ResourceNotFoundException;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.local.LocalResourceStore;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import io.longhorn.manager.testing.kube.KubeControlPlaneExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes resource store against a real kube-apiserver and etcd with the generated CRDs:
 * the store's contract (as the standalone store keeps it), conflicts, watch events, the CRDs'
 * validation and printer columns.
 */
class KubernetesResourceStoreIT {
    @RegisterExtension
    static final KubeControlPlaneExtension KUBE = new KubeControlPlaneExtension(false);

    static ResourceStore store;

    @BeforeAll
    static void crds() throws Exception {
        KubeControlPlane cp = KUBE.get();
        cp.applyCrds(KubeControlPlane.longhornCrds());
        cp.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(Longhorn.NAMESPACE).endMetadata()
                .build()).create();
        store = new KubernetesResourceStore(cp.client(), Longhorn.NAMESPACE);
    }

    private static Volume volume(String name) {
        Volume v = Resources.create(Volume.class, name);
        v.getSpec().size = 1L << 30;
        v.getSpec().numberOfReplicas = 2;
        return v;
    }

    @Test
    void createGetListUpdateStatusDelete() {
        Volume v = volume("crud");
        Resources.labels(v).put("app", "db");
        v.getStatus().state = VolumeState.ATTACHED;
        Volume created = store.create(v);
        assertNotNull(created.getMetadata().getUid());
        assertNotNull(created.getMetadata().getResourceVersion());
        assertEquals(1L, created.getMetadata().getGeneration());
        assertEquals(1L << 30, created.getSpec().size);
        assertNotEquals(VolumeState.ATTACHED, store.get(Volume.class, "crud").orElseThrow().getStatus().state,
                "a create sets no status");

        assertEquals(List.of("crud"), store.list(Volume.class, Map.of("app", "db")).stream().map(Resources::name).toList());
        assertTrue(store.list(Volume.class, Map.of("app", "web")).isEmpty());
        assertTrue(store.list(Volume.class).stream().anyMatch(x -> Resources.name(x).equals("crud")));

        Volume withStatus = store.get(Volume.class, "crud").orElseThrow();
        withStatus.getStatus().state = VolumeState.DETACHED;
        withStatus.getStatus().robustness = VolumeRobustness.UNKNOWN;
        withStatus.getStatus().conditions.add(new Condition(VolumeStatus.CONDITION_SCHEDULED, Condition.TRUE, "", ""));
        withStatus.getSpec().numberOfReplicas = 5;
        Volume afterStatus = store.updateStatus(withStatus);
        assertEquals(VolumeState.DETACHED, afterStatus.getStatus().state);
        assertEquals(2, afterStatus.getSpec().numberOfReplicas, "a status write leaves the spec");
        assertEquals(1L, afterStatus.getMetadata().getGeneration());

        afterStatus.getSpec().numberOfReplicas = 3;
        afterStatus.getStatus().state = VolumeState.ATTACHING;
        Volume afterSpec = store.update(afterStatus);
        assertEquals(3, afterSpec.getSpec().numberOfReplicas);
        assertEquals(VolumeState.DETACHED, afterSpec.getStatus().state, "a spec write keeps the stored status");
        assertEquals(2L, afterSpec.getMetadata().getGeneration(), "the generation counts spec changes");

        // A finalizer holds the deletion until it is removed.
        Resources.finalizers(afterSpec).add(Longhorn.FINALIZER);
        store.update(afterSpec);
        assertTrue(store.delete(Volume.class, "crud"));
        Volume deleting = store.get(Volume.class, "crud").orElseThrow();
        assertTrue(Resources.isDeleting(deleting));
        deleting.getMetadata().getFinalizers().clear();
        store.update(deleting);
        assertTrue(store.get(Volume.class, "crud").isEmpty());
        assertFalse(store.delete(Volume.class, "crud"));
    }

    @Test
    void staleWritesConflictAndNamesAreUnique() {
        store.create(volume("race"));
        Volume first = store.get(Volume.class, "race").orElseThrow();
        Volume second = store.get(Volume.class, "race").orElseThrow();
        first.getSpec().numberOfReplicas = 1;
        store.update(first);
        second.getSpec().numberOfReplicas = 4;
        assertThrows(ConflictException.class, () -> store.update(second));
        second.getStatus().state = VolumeState.ATTACHED;
        assertThrows(ConflictException.class, () -> store.updateStatus(second));
        assertEquals(1, store.get(Volume.class, "race").orElseThrow().getSpec().numberOfReplicas);

        // Without a resourceVersion the write goes over the current object.
        second.getMetadata().setResourceVersion(null);
        assertEquals(4, store.update(second).getSpec().numberOfReplicas);

        assertThrows(AlreadyExistsException.class, () -> store.create(volume("race")));
        Volume ghost = volume("ghost");
        ghost.getMetadata().setResourceVersion("1");
        assertThrows(ResourceNotFoundException.class, () -> store.update(ghost));
        assertThrows(ResourceNotFoundException.class, () -> store.updateStatus(volume("ghost")));
        store.delete(Volume.class, "race");
    }

    @Test
    void watchReportsAddedModifiedDeleted() throws Exception {
        BlockingQueue<ResourceEvent<Volume>> events = new LinkedBlockingQueue<>();
        try (ResourceStore.Subscription s = store.watch(Volume.class, e -> {
            if (e.name().equals("watched")) {
                events.add(e);
            }
        })) {
            Volume created = store.create(volume("watched"));
            ResourceEvent<Volume> added = next(events);
            assertEquals(ResourceEvent.Type.ADDED, added.type());
            assertEquals(created.getMetadata().getUid(), added.resource().getMetadata().getUid());

            created.getStatus().state = VolumeState.DETACHED;
            store.updateStatus(created);
            ResourceEvent<Volume> modified = next(events);
            assertEquals(ResourceEvent.Type.MODIFIED, modified.type());
            assertEquals(VolumeState.DETACHED, modified.resource().getStatus().state);

            store.delete(Volume.class, "watched");
            assertEquals(ResourceEvent.Type.DELETED, next(events).type());
        }
    }

    @Test
    void listenersOfOneKindShareAWatchAndEachHearsOfExistingObjects() throws Exception {
        store.create(volume("existing"));
        BlockingQueue<ResourceEvent<Volume>> first = new LinkedBlockingQueue<>();
        BlockingQueue<ResourceEvent<Volume>> second = new LinkedBlockingQueue<>();
        ResourceStore.Subscription a = store.watch(Volume.class, e -> {
            if (e.name().startsWith("existing") || e.name().startsWith("later")) {
                first.add(e);
            }
        });
        try {
            assertEquals("existing", next(first).name());
            try (ResourceStore.Subscription b = store.watch(Volume.class, e -> {
                if (e.name().startsWith("existing") || e.name().startsWith("later")) {
                    second.add(e);
                }
            })) {
                ResourceEvent<Volume> replayed = next(second);
                assertEquals(ResourceEvent.Type.ADDED, replayed.type());
                assertEquals("existing", replayed.name());
                store.create(volume("later-1"));
                assertEquals("later-1", next(first).name());
                assertEquals("later-1", next(second).name());
            }
            store.create(volume("later-2"));
            assertEquals("later-2", next(first).name(), "closing one subscription leaves the other");
            assertNull(second.poll(2, TimeUnit.SECONDS), "a closed subscription hears nothing");
        } finally {
            a.close();
            store.delete(Volume.class, "existing");
            store.delete(Volume.class, "later-1");
            store.delete(Volume.class, "later-2");
        }
    }

    private static <T> T next(BlockingQueue<T> q) throws InterruptedException {
        T e = q.poll(30, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 30 s");
        return e;
    }

    @Test
    void crdSchemasRefuseBadValues() throws Exception {
        Volume zero = volume("zero-replicas");
        zero.getSpec().numberOfReplicas = 0;
        InvalidResourceException e = assertThrows(InvalidResourceException.class, () -> store.create(zero));
        assertTrue(e.getMessage().contains("spec.numberOfReplicas"), e.getMessage());

        Volume locality = volume("bad-locality");
        locality.getSpec().dataLocality = "sometimes";
        e = assertThrows(InvalidResourceException.class, () -> store.create(locality));
        assertTrue(e.getMessage().contains("spec.dataLocality"), e.getMessage());

        Volume good = store.create(volume("good"));
        good.getStatus().state = "floating";
        e = assertThrows(InvalidResourceException.class, () -> store.updateStatus(good));
        assertTrue(e.getMessage().contains("status.state"), e.getMessage());
        assertEquals(VolumeState.CREATING, store.get(Volume.class, "good").orElseThrow().getStatus().state,
                "nothing changed");
        store.delete(Volume.class, "good");

        RecurringJob job = Resources.create(RecurringJob.class, "bad-job");
        job.getSpec().task = "defragment";
        job.getSpec().cron = "0 * * * *";
        e = assertThrows(InvalidResourceException.class, () -> store.create(job));
        assertTrue(e.getMessage().contains("spec.task"), e.getMessage());

        // Required fields: a volume without a size, written as a user would.
        Path yaml = Files.writeString(KUBE.get().workDir().resolve("no-size.yaml"), """
                apiVersion: longhorn.io/v1beta2
                kind: Volume
                metadata:
                  name: no-size
                  namespace: longhorn-system
                spec:
                  numberOfReplicas: 1
                """);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> KUBE.get().kubectl("create", "-f", yaml.toString()));
        assertTrue(refused.getMessage().contains("spec.size: Required value"), refused.getMessage());
        assertTrue(store.get(Volume.class, "no-size").isEmpty());
    }

    @Test
    void theManagerOpensTheStoreItIsConfiguredFor(@TempDir Path data) {
        assertInstanceOf(LocalResourceStore.class, ResourceStores.open("local", data));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResourceStores.open("etcd", data));
        assertTrue(e.getMessage().contains("longhorn.store"), e.getMessage());

        String before = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", KUBE.get().kubeconfig().toString());
        try (KubernetesResourceStore fromEnvironment = (KubernetesResourceStore) ResourceStores.open("kubernetes", data)) {
            assertEquals(Longhorn.NAMESPACE, fromEnvironment.namespace());
            store.create(volume("seen"));
            assertEquals(1L << 30, fromEnvironment.get(Volume.class, "seen").orElseThrow().getSpec().size);
            fromEnvironment.delete(Volume.class, "seen");
            assertTrue(store.get(Volume.class, "seen").isEmpty());
        } finally {
            if (before == null) {
                System.clearProperty("kubeconfig");
            } else {
                System.setProperty("kubeconfig", before);
            }
        }
    }

    @Test
    void settingsKeepTheirTopLevelValue() {
        Setting s = Resources.create(Setting.class, "default-replica-count");
        s.setValue("{\"v1\":\"3\",\"v2\":\"3\"}");
        store.create(s);
        Setting read = store.get(Setting.class, "default-replica-count").orElseThrow();
        assertEquals("{\"v1\":\"3\",\"v2\":\"3\"}", read.getValue());
        read.getStatus().applied = true;
        store.updateStatus(read);
        read = store.get(Setting.class, "default-replica-count").orElseThrow();
        assertTrue(read.getStatus().applied);
        read.setValue("2");
        assertEquals("2", store.update(read).getValue());
        assertNull(store.get(Setting.class, "no-such-setting").orElse(null));
    }

    @Test
    void kubectlShowsVolumesWithUpstreamColumns() throws Exception {
        Volume v = store.create(volume("shown"));
        v.getStatus().state = VolumeState.ATTACHED;
        v.getStatus().robustness = VolumeRobustness.HEALTHY;
        v.getStatus().currentNodeID = "node-1";
        store.updateStatus(v);
        String out = KUBE.get().kubectl("get", "lhv", "-n", Longhorn.NAMESPACE, "shown");
        List<String> lines = out.lines().toList();
        assertEquals(2, lines.size(), out);
        List<String> header = List.of(lines.get(0).trim().split("\\s{2,}"));
        List<String> row = List.of(lines.get(1).trim().split("\\s+"));
        Map<String, String> cell = new HashMap<>();
        // Columns are separated by at least two spaces in the header; empty cells do not occur here but for Scheduled.
        for (String column : List.of("DATA ENGINE", "STATE", "ROBUSTNESS", "SIZE", "NODE")) {
            assertTrue(header.contains(column), "column " + column + " in " + lines.get(0));
            cell.put(column, lines.get(1).substring(lines.get(0).indexOf(column)).split("\\s+")[0]);
        }
        assertEquals("shown", row.get(0));
        assertEquals("v1", cell.get("DATA ENGINE"));
        assertEquals("attached", cell.get("STATE"));
        assertEquals("healthy", cell.get("ROBUSTNESS"));
        assertEquals(Long.toString(1L << 30), cell.get("SIZE"));
        assertEquals("node-1", cell.get("NODE"));
        store.delete(Volume.class, "shown");
    }
}
