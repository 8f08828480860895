package io.longhorn.manager.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.longhorn.manager.model.Longhorn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Helpers for resource objects: create with metadata, copy, labels, finalizers. */
public final class Resources {
    /** Tolerates fields it does not know, so that older and newer stores stay readable. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Resources() {
    }

    /** A new object of the kind with its name and Longhorn's namespace set. */
    public static <T extends HasMetadata> T create(Class<T> kind, String name) {
        try {
            T t = kind.getDeclaredConstructor().newInstance();
            ObjectMeta meta = new ObjectMeta();
            meta.setName(name);
            meta.setNamespace(Longhorn.NAMESPACE);
            meta.setLabels(new LinkedHashMap<>());
            meta.setFinalizers(new ArrayList<>());
            t.setMetadata(meta);
            return t;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + kind.getSimpleName(), e);
        }
    }

    /** A deep copy, so that a cached or shared object is never changed by accident. */
    @SuppressWarnings("unchecked")
    public static <T extends HasMetadata> T copy(T resource) {
        return (T) JSON.convertValue(resource, resource.getClass());
    }

    public static String name(HasMetadata resource) {
        return resource.getMetadata().getName();
    }

    public static Map<String, String> labels(HasMetadata resource) {
        Map<String, String> labels = resource.getMetadata().getLabels();
        if (labels == null) {
            labels = new LinkedHashMap<>();
            resource.getMetadata().setLabels(labels);
        }
        return labels;
    }

    public static boolean hasLabels(HasMetadata resource, Map<String, String> wanted) {
        Map<String, String> labels = resource.getMetadata().getLabels();
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            if (labels == null || !Objects.equals(labels.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    public static List<String> finalizers(HasMetadata resource) {
        List<String> f = resource.getMetadata().getFinalizers();
        if (f == null) {
            f = new ArrayList<>();
            resource.getMetadata().setFinalizers(f);
        }
        return f;
    }

    public static boolean isDeleting(HasMetadata resource) {
        String ts = resource.getMetadata().getDeletionTimestamp();
        return ts != null && !ts.isEmpty();
    }

    /** The kind's plural, as in its CRD ({@code volumes}, {@code backuptargets}). */
    public static String plural(Class<? extends HasMetadata> kind) {
        return HasMetadata.getPlural(kind);
    }

}
