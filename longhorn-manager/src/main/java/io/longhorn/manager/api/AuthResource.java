package io.longhorn.manager.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.longhorn.manager.api.error.ApiError;
import io.longhorn.manager.auth.ApiAccess;
import io.longhorn.manager.auth.AuthFilter;
import io.longhorn.manager.auth.Principal;
import io.longhorn.manager.auth.TokenStore;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * {@code /v1/auth}: the web UI's log-in ({@code login} takes a token in its body: standalone, it
 * answers a session token with the same role that expires after {@code longhorn.auth.session-ttl};
 * in a cluster, the cluster token itself once the cluster accepted it), {@code logout} (revokes a
 * session token) and {@code whoami}.
 */
@Path("/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AuthResource {
    private static final Logger LOG = Logger.getLogger(AuthResource.class);

    @Inject
    ApiAccess access;

    @Context
    HttpServerRequest http;

    /** Who is signed in; {@code token} only in the answer to a log-in. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Session(String type, String name, String role, boolean tokensManaged, String token, String expires) {
    }

    @POST
    @Path("/login")
    public Response login(JsonNode json) {
        String token = new Body(json).text("token");
        Optional<Principal> who = token == null || token.isBlank() ? Optional.empty()
                : access.auth().authenticate(token.trim());
        if (who.isEmpty()) {
            access.counters().unauthenticated();
            LOG.warnf("refused a log-in from %s: %s", http == null || http.remoteAddress() == null ? "an unknown address"
                    : http.remoteAddress().hostAddress(), token == null || token.isBlank() ? "no token" : "a wrong token");
            return Response.status(401).type(MediaType.APPLICATION_JSON).entity(ApiError.of(401, "Unauthorized",
                    "wrong token: it is unknown, revoked or expired", "token")).build();
        }
        Principal p = who.get();
        Optional<TokenStore> store = access.auth().tokens();
        if (store.isEmpty()) {
            return Response.ok(session(p, token.trim(), null)).build();
        }
        String base = p.name().length() > 44 ? p.name().substring(0, 44) : p.name();
        String name = base + "-session-" + UUID.randomUUID().toString().substring(0, 8);
        TokenStore.Created c = store.get().create(name, p.role(), access.config().sessionTtl(), true);
        LOG.infof("%s logged in to the web UI from %s (session %s)", p.describe(),
                http == null || http.remoteAddress() == null ? "an unknown address" : http.remoteAddress().hostAddress(),
                c.token().id());
        return Response.ok(session(Principal.token(name, c.token().id(), p.role()), c.secret(),
                c.token().expires().toString())).build();
    }

    @POST
    @Path("/logout")
    public Response logout(@Context ContainerRequestContext req) {
        String token = (String) req.getProperty(AuthFilter.TOKEN);
        access.auth().tokens().ifPresent(store -> store.verify(token).filter(TokenStore.Token::isSession)
                .ifPresent(t -> store.revoke(t.id())));
        return Response.noContent().build();
    }

    @GET
    @Path("/whoami")
    public Session whoami(@Context ContainerRequestContext req) {
        return session((Principal) req.getProperty(AuthFilter.PRINCIPAL), null, null);
    }

    private Session session(Principal p, String token, String expires) {
        return new Session("session", p.name(), p.role() == null ? null : p.role().id(), access.auth().tokens().isPresent(),
                token, expires);
    }
}
