package io.longhorn.manager.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1}: the API version with links to every collection. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class RootResource {
    private static final List<String> COLLECTIONS = List.of("volumes", "nodes", "settings", "backuptargets",
            "backupvolumes", "recurringjobs", "events", "engineimages");

    @Context
    UriInfo uri;

    /** The API root. */
    public record ApiVersion(String id, String type, Map<String, String> links) {
    }

    @GET
    public ApiVersion root() {
        Links links = new Links(uri);
        Map<String, String> map = new LinkedHashMap<>();
        map.put("self", links.collection("").replaceAll("/$", ""));
        for (String c : COLLECTIONS) {
            map.put(c, links.collection(c));
        }
        return new ApiVersion("v1", "apiVersion", map);
    }
}
