package io.longhorn.manager.auth;

import java.util.Optional;

/** Who a bearer token is, and what they may do: the standalone token store or the cluster. */
public interface ApiAuth {
    /** The principal this token belongs to; empty when it is unknown, revoked, expired or malformed. */
    Optional<Principal> authenticate(String token);

    /** Whether the principal holds the permission. */
    boolean allowed(Principal principal, Permission permission);

    /** The standalone token store, when tokens are the manager's own (empty in a cluster). */
    default Optional<TokenStore> tokens() {
        return Optional.empty();
    }
}
