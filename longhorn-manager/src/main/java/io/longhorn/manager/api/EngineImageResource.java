package io.longhorn.manager.api;

import io.longhorn.manager.api.dto.Collection;
import io.longhorn.manager.api.dto.EngineImageView;
import io.longhorn.manager.model.EngineImage;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.service.ManagerServices;
import io.longhorn.manager.service.NotFoundException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

/** {@code /v1/engineimages}: the engine build in use (standalone: the local launchers). */
@Path("/v1/engineimages")
@Produces(MediaType.APPLICATION_JSON)
public class EngineImageResource {
    @Inject
    ManagerServices services;

    @Context
    UriInfo uri;

    @GET
    public Collection<EngineImageView> list() {
        Links links = new Links(uri);
        long refs = services.context().store().list(Volume.class).size();
        return Collection.of("engineImage", links.collection("engineimages"), services.context().store()
                .list(EngineImage.class).stream().map(e -> Views.engineImage(links, e, refs)).toList());
    }

    @GET
    @Path("/{name}")
    public EngineImageView get(@PathParam("name") String name) {
        EngineImage ei = services.context().store().get(EngineImage.class, name)
                .orElseThrow(() -> new NotFoundException("engine image " + name + " not found"));
        return Views.engineImage(new Links(uri), ei, services.context().store().list(Volume.class).size());
    }
}
