package io.longhorn.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.longhorn.manager.api.dto.Collection;
import io.longhorn.manager.api.dto.NodeView;
import io.longhorn.manager.service.DiskInput;
import io.longhorn.manager.service.InvalidInputException;
import io.longhorn.manager.service.ManagerServices;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v1/nodes}: list, get, update scheduling, and {@code diskUpdate}. */
@Path("/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class NodeResource {
    @Inject
    ManagerServices services;

    @Context
    UriInfo uri;

    @GET
    public Collection<NodeView> list() {
        Links links = new Links(uri);
        return Collection.of("node", links.collection("nodes"),
                services.nodes().list().stream().map(n -> Views.node(links, n)).toList());
    }

    @GET
    @Path("/{name}")
    public NodeView get(@PathParam("name") String name) {
        return Views.node(new Links(uri), services.nodes().get(name));
    }

    @PUT
    @Path("/{name}")
    public NodeView update(@PathParam("name") String name, JsonNode json) {
        Body b = new Body(json);
        return Views.node(new Links(uri), services.nodes().update(name, b.bool("allowScheduling"), b.strings("tags")));
    }

    @POST
    @Path("/{name}")
    public NodeView action(@PathParam("name") String name, @QueryParam("action") String action, JsonNode json) {
        if (!"diskUpdate".equals(action)) {
            throw new InvalidInputException("action", "unknown action \"" + action + "\" for node " + name
                    + ": use diskUpdate");
        }
        services.nodes().get(name);
        Body b = new Body(json);
        JsonNode disks = b.node("disks");
        if (disks == null || !disks.isObject()) {
            throw new InvalidInputException("disks", "disks must be an object of disk name to {path, allowScheduling,"
                    + " storageReserved, tags}");
        }
        Map<String, DiskInput> input = new LinkedHashMap<>();
        for (var it = disks.fields(); it.hasNext(); ) {
            var e = it.next();
            Body d = new Body(e.getValue());
            input.put(e.getKey(), new DiskInput(d.text("path"), d.bool("allowScheduling"), d.longValue("storageReserved"),
                    d.strings("tags"), d.bool("evictionRequested")));
        }
        return Views.node(new Links(uri), services.nodes().diskUpdate(name, input));
    }
}
