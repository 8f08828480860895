package io.longhorn.manager.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Setting;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.local.JsonFileJournal;
import io.longhorn.manager.store.local.LocalResourceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalResourceStoreTest {
    @TempDir
    Path dir;

    private static Volume volume(String name, long size) {
        Volume v = Resources.create(Volume.class, name);
        v.getSpec().size = size;
        return v;
    }

    @Test
    void createdObjectIsReadBackAsACopyThatCallersMayChange() {
        var store = new LocalResourceStore();
        store.create(volume("v1", 1024));
        Volume a = store.get(Volume.class, "v1").orElseThrow();
        a.getSpec().size = 5;
        assertEquals(1024, store.get(Volume.class, "v1").orElseThrow().getSpec().size);
        assertEquals(Longhorn.NAMESPACE, a.getMetadata().getNamespace());
        assertEquals("longhorn.io/v1beta2", a.getApiVersion());
        assertEquals("Volume", a.getKind());
    }

    @Test
    void createIgnoresStatusAsAStatusSubresourceDoes() {
        var store = new LocalResourceStore();
        Volume v = volume("v1", 1024);
        v.getStatus().state = "attached";
        Volume created = store.create(v);
        assertEquals("creating", created.getStatus().state);
    }

    @Test
    void creatingAnExistingNameIsRefused() {
        var store = new LocalResourceStore();
        store.create(volume("v1", 1));
        assertThrows(AlreadyExistsException.class, () -> store.create(volume("v1", 2)));
        assertEquals(1, store.get(Volume.class, "v1").orElseThrow().getSpec().size);
    }

    @Test
    void updateWithAStaleResourceVersionIsAConflictAndChangesNothing() {
        var store = new LocalResourceStore();
        Volume created = store.create(volume("v1", 1));
        Volume first = Resources.copy(created);
        first.getSpec().size = 2;
        store.update(first);
        Volume stale = Resources.copy(created);
        stale.getSpec().size = 3;
        assertThrows(ConflictException.class, () -> store.update(stale));
        assertEquals(2, store.get(Volume.class, "v1").orElseThrow().getSpec().size);
    }

    @Test
    void updateKeepsTheStatusAndUpdateStatusKeepsTheSpec() {
        var store = new LocalResourceStore();
        Volume v = store.create(volume("v1", 1));
        v.getStatus().state = "attached";
        v = store.updateStatus(v);
        v.getSpec().size = 7;
        v.getStatus().state = "detached";
        v = store.update(v);
        assertEquals("attached", v.getStatus().state);
        v.getSpec().size = 99;
        v.getStatus().state = "detaching";
        v = store.updateStatus(v);
        assertEquals(7, v.getSpec().size);
        assertEquals("detaching", v.getStatus().state);
    }

    @Test
    void generationCountsSpecChangesOnly() {
        var store = new LocalResourceStore();
        Volume v = store.create(volume("v1", 1));
        assertEquals(1L, v.getMetadata().getGeneration());
        v.getStatus().state = "attached";
        v = store.updateStatus(v);
        Resources.labels(v).put("a", "b");
        v = store.update(v);
        assertEquals(1L, v.getMetadata().getGeneration());
        v.getSpec().numberOfReplicas = 2;
        v = store.update(v);
        assertEquals(2L, v.getMetadata().getGeneration());
    }

    @Test
    void settingValueChangesCountAsSpecChanges() {
        var store = new LocalResourceStore();
        Setting s = Resources.create(Setting.class, "x");
        s.setValue("1");
        s = store.create(s);
        s.setValue("2");
        s = store.update(s);
        assertEquals("2", s.getValue());
        assertEquals(2L, s.getMetadata().getGeneration());
    }

    @Test
    void deletingAnObjectWithFinalizersMarksItAndRemovingTheLastFinalizerDeletesIt() {
        var store = new LocalResourceStore();
        Volume v = volume("v1", 1);
        Resources.finalizers(v).add(Longhorn.FINALIZER);
        store.create(v);
        assertTrue(store.delete(Volume.class, "v1"));
        Volume marked = store.get(Volume.class, "v1").orElseThrow();
        assertTrue(Resources.isDeleting(marked));
        Resources.finalizers(marked).clear();
        store.update(marked);
        assertTrue(store.get(Volume.class, "v1").isEmpty());
        assertFalse(store.delete(Volume.class, "v1"));
    }

    @Test
    void watchersSeeAddsChangesAndDeletesOfTheirKindOnly() {
        var store = new LocalResourceStore();
        List<String> seen = new ArrayList<>();
        store.watch(Volume.class, e -> seen.add(e.type() + " " + e.name()));
        Volume v = store.create(volume("v1", 1));
        v.getSpec().size = 2;
        store.update(v);
        Setting s = Resources.create(Setting.class, "x");
        store.create(s);
        store.delete(Volume.class, "v1");
        assertEquals(List.of("ADDED v1", "MODIFIED v1", "DELETED v1"), seen);
    }

    @Test
    void listFiltersByLabels() {
        var store = new LocalResourceStore();
        Volume a = volume("a", 1);
        Resources.labels(a).put("k", "1");
        store.create(a);
        store.create(volume("b", 1));
        assertEquals(List.of("a"), store.list(Volume.class, java.util.Map.of("k", "1")).stream().map(Resources::name).toList());
        assertEquals(2, store.list(Volume.class).size());
    }

    @Test
    void everythingSurvivesReopeningTheSameDirectoryAndVersionsKeepGrowing() {
        var store = new LocalResourceStore(new JsonFileJournal(dir));
        Volume v = store.create(volume("v1", 1));
        v.getStatus().state = "attached";
        v = store.updateStatus(v);
        store.create(volume("gone", 1));
        store.delete(Volume.class, "gone");
        long before = Long.parseLong(v.getMetadata().getResourceVersion());

        var reopened = new LocalResourceStore(new JsonFileJournal(dir));
        Volume back = reopened.get(Volume.class, "v1").orElseThrow();
        assertEquals("attached", back.getStatus().state);
        assertTrue(reopened.get(Volume.class, "gone").isEmpty());
        back.getSpec().size = 3;
        Volume after = reopened.update(back);
        assertTrue(Long.parseLong(after.getMetadata().getResourceVersion()) > before);
        assertTrue(Files.exists(dir.resolve("volumes").resolve("v1.json")));
    }

    @Test
    void aTornTemporaryFileFromACrashIsIgnored() throws IOException {
        var store = new LocalResourceStore(new JsonFileJournal(dir));
        store.create(volume("v1", 1));
        Files.writeString(dir.resolve("volumes").resolve(".v1.json.tmp"), "{\"trunc");
        var reopened = new LocalResourceStore(new JsonFileJournal(dir));
        assertEquals(1, reopened.get(Volume.class, "v1").orElseThrow().getSpec().size);
        assertFalse(Files.exists(dir.resolve("volumes").resolve(".v1.json.tmp")));
    }

    @Test
    void retryAppliesAChangeDespiteAConcurrentWriter() {
        var store = new LocalResourceStore();
        store.create(volume("v1", 1));
        int[] calls = {0};
        Volume out = Retry.update(store, Volume.class, "v1", v -> {
            if (calls[0]++ == 0) {
                Volume other = store.get(Volume.class, "v1").orElseThrow();
                other.getSpec().numberOfReplicas = 5;
                store.update(other);
            }
            v.getSpec().size = 9;
            return true;
        });
        assertEquals(2, calls[0]);
        assertEquals(9, out.getSpec().size);
        assertEquals(5, out.getSpec().numberOfReplicas);
    }
}
