package io.longhorn.manager.auth;

import io.longhorn.manager.api.error.ApiError;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Every API request (and {@code /metrics} unless it is open) needs {@code Authorization: Bearer
 * <token>} of a principal holding the request's {@link Permissions permission}. A refusal is a JSON
 * error (401 without a valid token, 403 naming the missing permission), changes nothing (the filter
 * runs before the resource method), is counted, and is logged with who and from where, never with
 * the token. Open: {@code /healthz}, the UI's log-in call {@code /v1/auth/login} (which checks the
 * token it is given itself) and the UI's static files (no data: the data comes from {@code /v1}).
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class AuthFilter implements ContainerRequestFilter {
    private static final Logger LOG = Logger.getLogger(AuthFilter.class);
    /** The request property holding the {@link Principal}, for the resources that need to know who asks. */
    public static final String PRINCIPAL = "longhorn.principal";
    /** The request property holding the bearer token itself (log-out revokes it). */
    public static final String TOKEN = "longhorn.token";

    @Inject
    ApiAccess access;

    @Context
    HttpServerRequest http;

    @Override
    public void filter(ContainerRequestContext req) {
        String path = "/" + req.getUriInfo().getPath().replaceAll("^/+", "");
        if (path.equals("/healthz") || path.equals("/v1/auth/login")) {
            return;
        }
        boolean metrics = path.equals("/metrics");
        if (metrics && access.metrics() != ApiAccess.MetricsAccess.TOKEN) {
            return;
        }
        String method = req.getMethod();
        String action = req.getUriInfo().getQueryParameters().getFirst("action");
        String what = method + " " + path + (action == null ? "" : "?action=" + action);
        Optional<String> token = bearer(req.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token.isEmpty()) {
            refuse401(req, what, "no bearer token", "this request needs a token: send \"Authorization: Bearer"
                    + " <token>\" (longhorn-manager/README.md, Authentication)");
            return;
        }
        Optional<Principal> who;
        try {
            who = access.auth().authenticate(token.get());
        } catch (RuntimeException e) {
            LOG.errorf("cannot check the token of %s from %s: %s", what, remote(), e.getMessage());
            req.abortWith(error(503, "Unavailable", "cannot check the token: " + e.getMessage()));
            return;
        }
        if (who.isEmpty()) {
            refuse401(req, what, "an unknown, revoked or expired token", "the token is unknown, revoked or expired");
            return;
        }
        Principal principal = who.get();
        req.setProperty(PRINCIPAL, principal);
        req.setProperty(TOKEN, token.get());
        Optional<Permission> needed = Permissions.required(method, path, action);
        if (needed.isEmpty()) {
            return;
        }
        boolean allowed;
        try {
            allowed = access.auth().allowed(principal, needed.get());
        } catch (RuntimeException e) {
            LOG.errorf("cannot check whether %s may %s: %s", principal.describe(), needed.get(), e.getMessage());
            req.abortWith(error(503, "Unavailable", "cannot check the permission " + needed.get() + ": "
                    + e.getMessage()));
            return;
        }
        if (!allowed) {
            access.counters().forbidden();
            LOG.warnf("refused %s from %s: %s lacks %s", what, remote(), principal.describe(), needed.get());
            req.abortWith(error(403, "Forbidden", principal.describe() + " may not " + what + ": it needs the"
                    + " permission " + needed.get()));
        }
    }

    private void refuse401(ContainerRequestContext req, String what, String reason, String message) {
        access.counters().unauthenticated();
        LOG.warnf("refused %s from %s: %s", what, remote(), reason);
        req.abortWith(Response.fromResponse(error(401, "Unauthorized", message))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"longhorn\"").build());
    }

    static Response error(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(status, code, message, null)).build();
    }

    private String remote() {
        if (http == null || http.remoteAddress() == null) {
            return "an unknown address";
        }
        String forwarded = http.getHeader("X-Forwarded-For");
        return http.remoteAddress().hostAddress() + (forwarded == null ? "" : " (forwarded for " + forwarded + ")");
    }

    /** The token of an {@code Authorization: Bearer <token>} header. */
    static Optional<String> bearer(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String t = h.substring(7).trim();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }
}
