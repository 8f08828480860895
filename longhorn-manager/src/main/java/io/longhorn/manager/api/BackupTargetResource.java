package io.longhorn.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.longhorn.manager.api.dto.BackupTargetView;
import io.longhorn.manager.api.dto.Collection;
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

/** {@code /v1/backuptargets}: list, get, and change ({@code backupTargetUpdate} or PUT). */
@Path("/v1/backuptargets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class BackupTargetResource {
    @Inject
    ManagerServices services;

    @Context
    UriInfo uri;

    @GET
    public Collection<BackupTargetView> list() {
        Links links = new Links(uri);
        return Collection.of("backupTarget", links.collection("backuptargets"),
                services.backups().targets().stream().map(t -> Views.backupTarget(links, t)).toList());
    }

    @GET
    @Path("/{name}")
    public BackupTargetView get(@PathParam("name") String name) {
        return Views.backupTarget(new Links(uri), services.backups().target(name, true));
    }

    @PUT
    @Path("/{name}")
    public BackupTargetView update(@PathParam("name") String name, JsonNode json) {
        Body b = new Body(json);
        return Views.backupTarget(new Links(uri), services.backups().updateTarget(name, b.text("backupTargetURL"),
                b.text("credentialSecret"), b.text("pollInterval")));
    }

    @POST
    @Path("/{name}")
    public BackupTargetView action(@PathParam("name") String name, @QueryParam("action") String action, JsonNode json) {
        services.backups().target(name, true);
        if (!"backupTargetUpdate".equals(action)) {
            throw new InvalidInputException("action", "unknown action \"" + action + "\" for backup target " + name
                    + ": use backupTargetUpdate");
        }
        return update(name, json);
    }
}
