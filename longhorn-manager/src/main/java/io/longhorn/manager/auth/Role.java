package io.longhorn.manager.auth;

import java.util.Locale;
import java.util.Set;

/**
 * A standalone token's role. {@code viewer} reads; {@code editor} also changes volumes, nodes,
 * settings, backups and jobs; {@code admin} also manages tokens.
 */
public enum Role {
    VIEWER, EDITOR, ADMIN;

    private static final Set<String> READS = Set.of(Permission.GET, Permission.LIST);

    /** Whether this role holds the permission. */
    public boolean allows(Permission p) {
        if (this == ADMIN) {
            return true;
        }
        if (p.isNonResource()) {
            return READS.contains(p.verb());
        }
        if (Permission.TOKENS.equals(p.resource())) {
            return false;
        }
        return this == EDITOR || READS.contains(p.verb());
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code viewer}, {@code editor} or {@code admin}; anything else is an {@link IllegalArgumentException}. */
    public static Role of(String s) {
        if (s != null) {
            for (Role r : values()) {
                if (r.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("unknown role \"" + s + "\": use viewer, editor or admin");
    }
}
