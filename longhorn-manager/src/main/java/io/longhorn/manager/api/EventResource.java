package io.longhorn.manager.api;

import io.longhorn.manager.api.dto.Collection;
import io.longhorn.manager.api.dto.EventView;
import io.longhorn.manager.service.ManagerServices;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

/** {@code /v1/events}: what the controllers did and what went wrong, oldest first. */
@Path("/v1/events")
@Produces(MediaType.APPLICATION_JSON)
public class EventResource {
    @Inject
    ManagerServices services;

    @Context
    UriInfo uri;

    @GET
    public Collection<EventView> list() {
        return Collection.of("event", new Links(uri).collection("events"),
                services.events().list().stream().map(Views::event).toList());
    }
}
