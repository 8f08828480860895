package io.longhorn.manager.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import java.util.Objects;

/**
 * Patch-if-different helpers: a reconcile that found nothing new writes nothing, so that it does not
 * wake itself (and everyone watching) up again.
 */
public final class Writes {
    private Writes() {
    }

    /** Writes metadata/spec when {@code changed} differs from {@code original}; returns the current object. */
    public static <T extends HasMetadata> T updateIfChanged(ResourceStore store, T original, T changed) {
        if (sameIgnoringStatus(original, changed)) {
            return changed;
        }
        return store.update(changed);
    }

    /** Writes the status when it differs from the original's; returns the current object. */
    public static <T extends CustomResource<?, ?>> T updateStatusIfChanged(ResourceStore store, T original, T changed) {
        if (Objects.equals(Resources.JSON.valueToTree(original.getStatus()), Resources.JSON.valueToTree(changed.getStatus()))) {
            return changed;
        }
        return store.updateStatus(changed);
    }

    /** Adds Longhorn's finalizer when missing; returns the current object. */
    public static <T extends HasMetadata> T ensureFinalizer(ResourceStore store, T resource) {
        if (Resources.finalizers(resource).contains(Longhorn.FINALIZER)) {
            return resource;
        }
        T copy = Resources.copy(resource);
        Resources.finalizers(copy).add(Longhorn.FINALIZER);
        return store.update(copy);
    }

    /** Removes Longhorn's finalizer (the store then deletes an object marked for deletion). */
    public static <T extends HasMetadata> void removeFinalizer(ResourceStore store, T resource) {
        if (!Resources.finalizers(resource).contains(Longhorn.FINALIZER)) {
            return;
        }
        T copy = Resources.copy(resource);
        Resources.finalizers(copy).remove(Longhorn.FINALIZER);
        store.update(copy);
    }

    private static boolean sameIgnoringStatus(HasMetadata a, HasMetadata b) {
        var ta = (com.fasterxml.jackson.databind.node.ObjectNode) Resources.JSON.valueToTree(a);
        var tb = (com.fasterxml.jackson.databind.node.ObjectNode) Resources.JSON.valueToTree(b);
        ta.remove("status");
        tb.remove("status");
        return ta.equals(tb);
    }
}
