package io.longhorn.manager.auth;

import java.util.List;

/**
 * Who sent a request: a standalone token (its name, id and role) or a cluster user or service
 * account (as the TokenReview named it, with its groups). {@code role} is null for cluster users,
 * whose permissions RBAC decides.
 */
public record Principal(String name, String tokenId, Role role, String uid, List<String> groups) {
    public static Principal token(String name, String id, Role role) {
        return new Principal(name, id, role, null, List.of());
    }

    public static Principal clusterUser(String name, String uid, List<String> groups) {
        return new Principal(name, null, null, uid, List.copyOf(groups));
    }

    /** How logs and error messages name it: {@code token ci (id 1a2b…, viewer)} or the user name. */
    public String describe() {
        return role == null ? name : "token " + name + " (id " + tokenId + ", " + role.id() + ")";
    }
}
