package io.longhorn.manager.auth;

import java.util.Optional;

/** Standalone: tokens from the {@link TokenStore}, each allowed what its {@link Role} allows. */
public final class StandaloneAuth implements ApiAuth {
    private final TokenStore store;

    public StandaloneAuth(TokenStore store) {
        this.store = store;
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        return store.verify(token).map(t -> Principal.token(t.name(), t.id(), t.roleValue()));
    }

    @Override
    public boolean allowed(Principal principal, Permission permission) {
        return principal.role() != null && principal.role().allows(permission);
    }

    @Override
    public Optional<TokenStore> tokens() {
        return Optional.of(store);
    }
}
