package io.longhorn.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.longhorn.manager.api.dto.Collection;
import io.longhorn.manager.api.dto.SnapshotView;
import io.longhorn.manager.api.dto.VolumeRecurringJobView;
import io.longhorn.manager.api.dto.VolumeView;
import io.longhorn.manager.service.InvalidInputException;
import io.longhorn.manager.service.ManagerServices;
import io.longhorn.manager.service.RecurringJobService;
import io.longhorn.manager.service.VolumeCreate;
import io.longhorn.manager.store.Resources;
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
import java.util.Comparator;
import java.util.List;

/** {@code /v1/volumes}: list, create, get, delete, and the volume actions. */
@Path("/v1/volumes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class VolumeResource {
    @Inject
    ManagerServices services;

    @Context
    UriInfo uri;

    @GET
    public Collection<VolumeView> list() {
        Links links = new Links(uri);
        List<VolumeView> data = Views.volumes(services, links, services.volumes().list().stream()
                .sorted(Comparator.comparing(Resources::name)).toList());
        return Collection.of("volume", links.collection("volumes"), data);
    }

    @POST
    public VolumeView create(JsonNode json) {
        Body b = new Body(json);
        VolumeCreate req = new VolumeCreate(b.text("name"), b.text("size"), b.integer("numberOfReplicas"),
                b.text("frontend"), b.text("fromBackup"), b.bool("standby"), b.text("dataLocality"), b.text("accessMode"),
                b.integer("staleReplicaTimeout"), b.text("backupCompressionMethod"), b.text("backupTargetName"),
                b.strings("diskSelector"), b.strings("nodeSelector"), b.text("dataSource"));
        return Views.volume(services, new Links(uri), services.volumes().create(req));
    }

    @GET
    @Path("/{name}")
    public VolumeView get(@PathParam("name") String name) {
        return Views.volume(services, new Links(uri), services.volumes().get(name));
    }

    @DELETE
    @Path("/{name}")
    public Response delete(@PathParam("name") String name, @QueryParam("force") boolean force) {
        services.volumes().delete(name, force);
        // The volume shows "deleting" until its engine and replicas are gone; without them it is gone at once.
        return services.context().store().get(io.longhorn.manager.model.Volume.class, name)
                .map(v -> Response.ok(Views.volume(services, new Links(uri), v)).build())
                .orElse(Response.noContent().build());
    }

    @POST
    @Path("/{name}")
    public Object action(@PathParam("name") String name, @QueryParam("action") String action, JsonNode json) {
        if (action == null || action.isEmpty()) {
            throw new InvalidInputException("action", "missing ?action=: one of " + String.join(", ", Views.VOLUME_ACTIONS));
        }
        Body b = new Body(json);
        var volumes = services.volumes();
        var snapshots = services.snapshots();
        Links links = new Links(uri);
        services.volumes().get(name);
        return switch (action) {
            case "attach" -> view(volumes.attach(name, b.text("hostId"), b.bool("disableFrontend"), b.text("attachedBy")));
            case "detach" -> view(volumes.detach(name, b.text("hostId"), Boolean.TRUE.equals(b.bool("forceDetach"))));
            case "expand" -> view(volumes.expand(name, b.text("size")));
            case "updateReplicaCount" -> view(volumes.updateReplicaCount(name, b.integer("replicaCount")));
            case "updateDataLocality" -> view(volumes.updateDataLocality(name, b.text("dataLocality")));
            case "replicaRemove" -> view(volumes.replicaRemove(name, b.text("name")));
            case "salvage" -> view(volumes.salvage(name, b.strings("names")));
            case "activate" -> view(volumes.activate(name, b.text("frontend")));
            case "snapshotCreate" -> SnapshotView.of(snapshots.create(name, b.text("name"), b.stringMap("labels")));
            case "snapshotList" -> Collection.of("snapshot", links.self("volumes", name) + "?action=snapshotList",
                    snapshots.list(name).stream().map(SnapshotView::of).toList());
            case "snapshotGet" -> SnapshotView.of(snapshots.get(name, b.text("name")));
            case "snapshotDelete" -> {
                snapshots.delete(name, b.text("name"));
                yield view(volumes.get(name));
            }
            case "snapshotRevert" -> {
                snapshots.revert(name, b.text("name"));
                yield view(volumes.get(name));
            }
            case "snapshotPurge" -> {
                snapshots.purge(name);
                yield view(volumes.get(name));
            }
            case "snapshotBackup" -> {
                services.backups().backupSnapshot(name, b.text("name"), b.stringMap("labels"));
                yield view(volumes.get(name));
            }
            case "recurringJobAdd" -> jobs(name, services.recurringJobs().addToVolume(name, b.text("name"),
                    Boolean.TRUE.equals(b.bool("isGroup"))));
            case "recurringJobDelete" -> jobs(name, services.recurringJobs().removeFromVolume(name, b.text("name"),
                    Boolean.TRUE.equals(b.bool("isGroup"))));
            case "recurringJobList" -> jobs(name, services.recurringJobs().volumeJobs(name));
            default -> throw new InvalidInputException("action", "unknown action \"" + action + "\" for volume " + name
                    + ": use one of " + String.join(", ", Views.VOLUME_ACTIONS));
        };
    }

    private VolumeView view(io.longhorn.manager.model.Volume v) {
        return Views.volume(services, new Links(uri), v);
    }

    private Collection<VolumeRecurringJobView> jobs(String volume, List<RecurringJobService.VolumeJob> jobs) {
        return Collection.of("volumeRecurringJob", new Links(uri).self("volumes", volume) + "?action=recurringJobList",
                jobs.stream().map(j -> new VolumeRecurringJobView(j.name(), "volumeRecurringJob", j.name(), j.isGroup()))
                        .toList());
    }
}
