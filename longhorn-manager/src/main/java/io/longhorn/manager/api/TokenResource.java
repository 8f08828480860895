package io.longhorn.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.longhorn.manager.api.dto.Collection;
import io.longhorn.manager.api.dto.TokenView;
import io.longhorn.manager.auth.ApiAccess;
import io.longhorn.manager.auth.Role;
import io.longhorn.manager.auth.TokenStore;
import io.longhorn.manager.controller.backup.GoDuration;
import io.longhorn.manager.service.InvalidInputException;
import io.longhorn.manager.service.NotFoundException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.Comparator;

/**
 * {@code /v1/tokens}: the standalone API tokens (list, create with a role and an optional
 * time to live, revoke). In a cluster the tokens are the cluster's (service accounts, users): 404.
 */
@Path("/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokenResource {
    @Inject
    ApiAccess access;

    @Context
    UriInfo uri;

    private TokenStore store() {
        return access.auth().tokens().orElseThrow(() -> new NotFoundException("tokens are the cluster's when the"
                + " manager runs in Kubernetes: use service accounts (or users) bound to the ClusterRoles"
                + " longhorn-viewer or longhorn-editor"));
    }

    @GET
    public Collection<TokenView> list() {
        Links links = new Links(uri);
        return Collection.of("token", links.collection("tokens"), store().tokens().stream()
                .sorted(Comparator.comparing(TokenStore.Token::created)).map(t -> view(links, t, null)).toList());
    }

    @POST
    public TokenView create(JsonNode json) {
        Body b = new Body(json);
        String name = b.text("name");
        Role role;
        try {
            role = Role.of(b.text("role") == null ? "viewer" : b.text("role"));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("role", e.getMessage());
        }
        String ttlText = b.text("ttl");
        Duration ttl = null;
        if (ttlText != null && !ttlText.isBlank()) {
            ttl = GoDuration.parse(ttlText).filter(d -> d.isPositive()).orElseThrow(() -> new InvalidInputException(
                    "ttl", "ttl \"" + ttlText + "\" is not a positive duration such as 24h or 90m"));
        }
        TokenStore.Created c;
        try {
            c = store().create(name, role, ttl, false);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            int colon = msg.indexOf(':');
            throw new InvalidInputException(colon > 0 ? msg.substring(0, colon) : "name", msg);
        }
        return view(new Links(uri), c.token(), c.secret());
    }

    @GET
    @Path("/{id}")
    public TokenView get(@PathParam("id") String id) {
        return store().tokens().stream().filter(t -> t.id().equals(id)).findFirst()
                .map(t -> view(new Links(uri), t, null)).orElseThrow(() -> notFound(id));
    }

    @DELETE
    @Path("/{id}")
    public Response revoke(@PathParam("id") String id) {
        if (store().tokens().stream().noneMatch(t -> t.id().equals(id)) || !store().revoke(id)) {
            throw notFound(id);
        }
        return Response.noContent().build();
    }

    private static NotFoundException notFound(String id) {
        return new NotFoundException("token " + id + " not found");
    }

    static TokenView view(Links links, TokenStore.Token t, String secret) {
        return new TokenView(t.id(), "token", t.name(), t.role(), t.created().toString(),
                t.expires() == null ? null : t.expires().toString(), t.isSession(), secret,
                links.selfLinks("tokens", t.id()));
    }
}
