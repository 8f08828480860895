package io.longhorn.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.longhorn.manager.api.dto.BackupVolumeView;
import io.longhorn.manager.api.dto.Collection;
import io.longhorn.manager.service.InvalidInputException;
import io.longhorn.manager.service.ManagerServices;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** {@code /v1/backupvolumes}: list, get, delete, and {@code backupList}, {@code backupGet}, {@code backupDelete}. */
@Path("/v1/backupvolumes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class BackupVolumeResource {
    @Inject
    ManagerServices services;

    @Context
    UriInfo uri;

    @GET
    public Collection<BackupVolumeView> list() {
        Links links = new Links(uri);
        return Collection.of("backupVolume", links.collection("backupvolumes"),
                services.backups().backupVolumes().stream().map(v -> Views.backupVolume(links, v)).toList());
    }

    @GET
    @Path("/{name}")
    public BackupVolumeView get(@PathParam("name") String name) {
        return Views.backupVolume(new Links(uri), services.backups().backupVolume(name));
    }

    @DELETE
    @Path("/{name}")
    public Response delete(@PathParam("name") String name) {
        services.backups().deleteBackupVolume(name);
        return Response.noContent().build();
    }

    @POST
    @Path("/{name}")
    public Object action(@PathParam("name") String name, @QueryParam("action") String action, JsonNode json) {
        var backups = services.backups();
        backups.backupVolume(name);
        Body b = new Body(json);
        Links links = new Links(uri);
        return switch (action == null ? "" : action) {
            case "backupList" -> Collection.of("backup", links.self("backupvolumes", name) + "?action=backupList",
                    backups.backups(name).stream().map(Views::backup).toList());
            case "backupGet" -> Views.backup(backups.backup(name, b.text("name")));
            case "backupDelete" -> {
                backups.deleteBackup(name, b.text("name"));
                yield Views.backupVolume(links, backups.backupVolume(name));
            }
            default -> throw new InvalidInputException("action", "unknown action \"" + action + "\" for backup volume "
                    + name + ": use backupList, backupGet or backupDelete");
        };
    }
}
