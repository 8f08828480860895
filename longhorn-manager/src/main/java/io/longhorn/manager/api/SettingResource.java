package io.longhorn.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.longhorn.manager.api.dto.Collection;
import io.longhorn.manager.api.dto.SettingView;
import io.longhorn.manager.service.ManagerServices;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

/** {@code /v1/settings}: list, get, and set a value ({@code PUT {"value": "..."}}). */
@Path("/v1/settings")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SettingResource {
    @Inject
    ManagerServices services;

    @Context
    UriInfo uri;

    @GET
    public Collection<SettingView> list() {
        Links links = new Links(uri);
        return Collection.of("setting", links.collection("settings"),
                services.settings().list().stream().map(s -> Views.setting(links, s)).toList());
    }

    @GET
    @Path("/{name}")
    public SettingView get(@PathParam("name") String name) {
        return Views.setting(new Links(uri), services.settings().get(name));
    }

    @PUT
    @Path("/{name}")
    public SettingView update(@PathParam("name") String name, JsonNode json) {
        services.settings().get(name);
        return Views.setting(new Links(uri), services.settings().update(name, new Body(json).text("value")));
    }
}
