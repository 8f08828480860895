package io.longhorn.manager.api;

import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds absolute {@code links} and {@code actions} URLs from the request's base URL. */
public final class Links {
    private final String base;

    public Links(UriInfo uri) {
        String b = uri.getBaseUri().toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }

    public String self(String collection, String name) {
        return base + "/v1/" + collection + "/" + name;
    }

    public String collection(String collection) {
        return base + "/v1/" + collection;
    }

    public Map<String, String> selfLinks(String collection, String name) {
        return Map.of("self", self(collection, name));
    }

    public Map<String, String> actions(String collection, String name, List<String> actions) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String a : actions) {
            map.put(a, self(collection, name) + "?action=" + a);
        }
        return map;
    }
}
