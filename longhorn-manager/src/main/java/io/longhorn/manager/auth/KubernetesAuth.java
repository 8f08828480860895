package io.longhorn.manager.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In a cluster: the cluster's bearer tokens (service accounts, users), verified with a TokenReview
 * and authorized with a SubjectAccessReview of the verb on the {@code longhorn.io} resource in the
 * manager's namespace, so that RBAC decides (the {@code longhorn-viewer} and {@code longhorn-editor}
 * ClusterRoles). Both answers are reused for {@code ttl}, keyed by the token's hash (never the token),
 * so a page of the UI costs the API server nothing after its first request.
 */
public final class KubernetesAuth implements ApiAuth {
    private static final int MAX_ENTRIES = 10_000;

    private record Cached<T>(T value, Instant until) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Cached<Optional<Principal>>> reviews = new ConcurrentHashMap<>();
    private final Map<String, Cached<Boolean>> decisions = new ConcurrentHashMap<>();

    public KubernetesAuth(KubernetesClient client, String namespace, Duration ttl, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        String key = HexFormat.of().formatHex(TokenStore.sha256(token));
        return cached(reviews, key, () -> review(token));
    }

    private Optional<Principal> review(String token) {
        TokenReview r = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder()
                .withNewSpec().withToken(token).endSpec().build());
        if (r.getStatus() == null || !Boolean.TRUE.equals(r.getStatus().getAuthenticated())
                || r.getStatus().getUser() == null) {
            return Optional.empty();
        }
        var user = r.getStatus().getUser();
        return Optional.of(Principal.clusterUser(user.getUsername(), user.getUid(),
                user.getGroups() == null ? List.of() : user.getGroups()));
    }

    @Override
    public boolean allowed(Principal principal, Permission permission) {
        String key = principal.name() + "\n" + principal.uid() + "\n" + String.join(",", principal.groups()) + "\n"
                + permission;
        return cached(decisions, key, () -> review(principal, permission));
    }

    private boolean review(Principal principal, Permission permission) {
        SubjectAccessReviewSpecBuilder spec = new SubjectAccessReviewSpecBuilder()
                .withUser(principal.name()).withUid(principal.uid()).withGroups(principal.groups());
        if (permission.isNonResource()) {
            spec.withNewNonResourceAttributes().withPath(permission.path()).withVerb(permission.verb())
                    .endNonResourceAttributes();
        } else {
            spec.withNewResourceAttributes().withGroup(Permission.GROUP).withResource(permission.resource())
                    .withVerb(permission.verb()).withNamespace(namespace).endResourceAttributes();
        }
        SubjectAccessReview r = client.authorization().v1().subjectAccessReview().create(
                new SubjectAccessReviewBuilder().withSpec(spec.build()).build());
        return r.getStatus() != null && Boolean.TRUE.equals(r.getStatus().getAllowed());
    }

    private <T> T cached(Map<String, Cached<T>> map, String key, java.util.function.Supplier<T> load) {
        Instant now = clock.instant();
        Cached<T> c = map.get(key);
        if (c != null && now.isBefore(c.until())) {
            return c.value();
        }
        T value = load.get();
        if (map.size() >= MAX_ENTRIES) {
            map.entrySet().removeIf(e -> !now.isBefore(e.getValue().until()));
            if (map.size() >= MAX_ENTRIES) {
                map.clear();
            }
        }
        map.put(key, new Cached<>(value, now.plus(ttl)));
        return value;
    }
}
