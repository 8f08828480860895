package io.longhorn.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.longhorn.manager.api.dto.Collection;
import io.longhorn.manager.api.dto.RecurringJobView;
import io.longhorn.manager.service.ManagerServices;
import io.longhorn.manager.service.RecurringJobInput;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** {@code /v1/recurringjobs}: list, create, get, update, delete. */
@Path("/v1/recurringjobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RecurringJobResource {
    @Inject
    ManagerServices services;

    @Context
    UriInfo uri;

    @GET
    public Collection<RecurringJobView> list() {
        Links links = new Links(uri);
        return Collection.of("recurringJob", links.collection("recurringjobs"),
                services.recurringJobs().list().stream().map(j -> Views.recurringJob(links, j)).toList());
    }

    @POST
    public RecurringJobView create(JsonNode json) {
        return Views.recurringJob(new Links(uri), services.recurringJobs().create(input(new Body(json))));
    }

    @GET
    @Path("/{name}")
    public RecurringJobView get(@PathParam("name") String name) {
        return Views.recurringJob(new Links(uri), services.recurringJobs().get(name));
    }

    @PUT
    @Path("/{name}")
    public RecurringJobView update(@PathParam("name") String name, JsonNode json) {
        return Views.recurringJob(new Links(uri), services.recurringJobs().update(name, input(new Body(json))));
    }

    @DELETE
    @Path("/{name}")
    public Response delete(@PathParam("name") String name) {
        services.recurringJobs().delete(name);
        return Response.noContent().build();
    }

    private static RecurringJobInput input(Body b) {
        return new RecurringJobInput(b.text("name"), b.text("task"), b.text("cron"), b.integer("retain"),
                b.integer("concurrency"), b.strings("groups"), b.stringMap("labels"));
    }
}
