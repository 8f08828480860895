package io.longhorn.manager.auth;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code longhorn.auth.*}: how the API and the UI authenticate and authorize requests (a group of
 * {@link io.longhorn.manager.standalone.StandaloneConfig}).
 */
public interface AuthConfig {
    /**
     * {@code /metrics}: {@code open} (answered without a token, for scrapers), {@code token} (needs a
     * token allowed {@code get /metrics}: any standalone token; in a cluster, RBAC's non-resource URL
     * rule) or {@code off} (not served).
     */
    @WithDefault("open")
    String metrics();

    /**
     * A file holding the standalone admin token (16 characters or more): stored as the token
     * {@code admin} when the store does not know it yet, instead of a random one printed at the first
     * start. For tests and automated set-ups; the file is read, never written.
     */
    Optional<String> adminTokenFile();

    /** How long a login from the web UI lasts (standalone: the session token then expires). */
    @WithDefault("12h")
    Duration sessionTtl();

    /** How long a cluster's TokenReview and SubjectAccessReview answers are reused. */
    @WithDefault("10s")
    Duration cacheTtl();
}
