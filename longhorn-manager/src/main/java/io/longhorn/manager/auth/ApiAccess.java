package io.longhorn.manager.auth;

import io.longhorn.manager.service.ManagerServices;
import io.longhorn.manager.standalone.DataDir;
import io.longhorn.manager.standalone.StandaloneConfig;
import io.longhorn.manager.store.kubernetes.KubernetesResourceStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The manager's {@link ApiAuth} (the cluster's when the resources live in Kubernetes, else the
 * standalone token store), the metrics option and the refusal counters. At the first standalone
 * start it makes the admin token and prints it, once.
 */
@ApplicationScoped
public class ApiAccess {
    private static final Logger LOG = Logger.getLogger(ApiAccess.class);

    /** What {@code /metrics} needs. */
    public enum MetricsAccess { OPEN, TOKEN, OFF }

    private final ApiAuth auth;
    private final AuthConfig config;
    private final MetricsAccess metrics;
    private final AuthMetrics counters = new AuthMetrics();

    public ApiAccess(ManagerServices services, DataDir dataDir, StandaloneConfig standalone) {
        AuthConfig config = standalone.auth();
        this.config = config;
        this.metrics = switch (config.metrics().trim().toLowerCase(Locale.ROOT)) {
            case "open" -> MetricsAccess.OPEN;
            case "token" -> MetricsAccess.TOKEN;
            case "off" -> MetricsAccess.OFF;
            default -> throw new IllegalArgumentException("longhorn.auth.metrics: unknown value \"" + config.metrics()
                    + "\": use open, token or off");
        };
        if (services.context().store() instanceof KubernetesResourceStore k) {
            this.auth = new KubernetesAuth(k.client(), k.namespace(), config.cacheTtl(), Clock.systemUTC());
        } else {
            this.auth = new StandaloneAuth(new TokenStore(dataDir.path(), Clock.systemUTC()));
        }
    }

    void onStart(@Observes StartupEvent event) {
        auth.tokens().ifPresent(store -> bootstrap(store, config.adminTokenFile().map(Path::of)));
        LOG.infof("API authentication: %s; /metrics %s", auth.tokens().isPresent()
                ? "standalone tokens in " + auth.tokens().get().file() : "the cluster's tokens (TokenReview, RBAC)",
                metrics.name().toLowerCase(Locale.ROOT));
    }

    /**
     * The admin token: from the file when one is configured (stored, replacing the token named
     * {@code admin}, when the store does not know it), else a random one at the first start, printed
     * once. Returns the printed token.
     */
    static Optional<String> bootstrap(TokenStore store, Optional<Path> adminTokenFile) {
        if (adminTokenFile.isPresent()) {
            String secret;
            try {
                secret = Files.readString(adminTokenFile.get()).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("longhorn.auth.admin-token-file: cannot read " + adminTokenFile.get()
                        + ": " + e.getMessage(), e);
            }
            if (store.verify(secret).isEmpty()) {
                store.revoke("admin");
                store.create("admin", Role.ADMIN, null, false, secret);
                LOG.infof("the admin token is the one in %s", adminTokenFile.get());
            }
            return Optional.empty();
        }
        if (store.exists()) {
            return Optional.empty();
        }
        String secret = store.create("admin", Role.ADMIN, null, false).secret();
        System.out.println("""

                Longhorn admin token (shown this once; only its SHA-256 is kept, in %s):

                    %s

                Log in to the web UI with it, or send it as "Authorization: Bearer <token>". Make tokens
                with fewer rights with "longhorn-manager token create" or on the UI's Tokens page.
                """.formatted(store.file(), secret));
        return Optional.of(secret);
    }

    public ApiAuth auth() {
        return auth;
    }

    public MetricsAccess metrics() {
        return metrics;
    }

    public AuthConfig config() {
        return config;
    }

    public AuthMetrics counters() {
        return counters;
    }
}
