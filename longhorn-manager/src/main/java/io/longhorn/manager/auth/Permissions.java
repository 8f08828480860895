package io.longhorn.manager.auth;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The permission each API request needs, from its method, path and {@code ?action=}: reads need
 * {@code get} (one resource) or {@code list} (a collection); actions need {@code update},
 * {@code create} or {@code delete} on the resource they change (creating a snapshot needs
 * {@code create snapshots}, removing a replica {@code delete replicas}, attaching
 * {@code update volumes}). Empty for requests any signed-in user may make (the API root, who am I,
 * log out).
 */
public final class Permissions {
    private static final Set<String> COLLECTIONS = Set.of("volumes", "nodes", "settings", "backuptargets",
            "backupvolumes", "recurringjobs", "engineimages", Permission.TOKENS);

    /** Volume actions that only read, and the ones that change another resource than the volume. */
    private static final Map<String, Permission> VOLUME_ACTIONS = Map.ofEntries(
            Map.entry("snapshotList", Permission.on(Permission.GET, "volumes")),
            Map.entry("snapshotGet", Permission.on(Permission.GET, "volumes")),
            Map.entry("recurringJobList", Permission.on(Permission.GET, "volumes")),
            Map.entry("snapshotCreate", Permission.on(Permission.CREATE, "snapshots")),
            Map.entry("snapshotDelete", Permission.on(Permission.DELETE, "snapshots")),
            Map.entry("snapshotPurge", Permission.on(Permission.DELETE, "snapshots")),
            Map.entry("snapshotBackup", Permission.on(Permission.CREATE, "backups")),
            Map.entry("replicaRemove", Permission.on(Permission.DELETE, "replicas")));

    private static final Map<String, Permission> BACKUP_VOLUME_ACTIONS = Map.of(
            "backupList", Permission.on(Permission.GET, "backupvolumes"),
            "backupGet", Permission.on(Permission.GET, "backupvolumes"),
            "backupDelete", Permission.on(Permission.DELETE, "backups"));

    private Permissions() {
    }

    /**
     * The permission {@code method path?action=action} needs. {@code path} is the request path
     * ({@code /v1/volumes/vol1}); {@code action} may be null.
     */
    public static Optional<Permission> required(String method, String path, String action) {
        String p = path.replaceAll("^/+|/+$", "");
        String[] seg = p.isEmpty() ? new String[0] : p.split("/+");
        boolean get = "GET".equals(method) || "HEAD".equals(method);
        if (seg.length == 1 && "metrics".equals(seg[0])) {
            return Optional.of(Permission.onPath(Permission.GET, "/metrics"));
        }
        if (seg.length == 0 || !"v1".equals(seg[0])) {
            return Optional.of(Permission.onPath(verb(method), "/" + p));
        }
        if (seg.length == 1 && get) {
            return Optional.empty();
        }
        if (seg.length == 3 && "auth".equals(seg[1])
                && (("whoami".equals(seg[2]) && get) || "logout".equals(seg[2]) && "POST".equals(method))) {
            return Optional.empty();
        }
        if (seg.length == 2 && "events".equals(seg[1]) && get) {
            // Events tell what happened to volumes, replicas and nodes: readable by whoever may list volumes.
            return Optional.of(Permission.on(Permission.LIST, "volumes"));
        }
        if (seg.length < 2 || seg.length > 3 || !COLLECTIONS.contains(seg[1])) {
            return Optional.of(Permission.onPath(verb(method), "/" + p));
        }
        String resource = seg[1];
        if (seg.length == 2) {
            return Optional.of(Permission.on(get ? Permission.LIST : "POST".equals(method) ? Permission.CREATE
                    : verb(method), resource));
        }
        return Optional.of(switch (method) {
            case "GET", "HEAD" -> Permission.on(Permission.GET, resource);
            case "DELETE" -> Permission.on(Permission.DELETE, resource);
            case "POST" -> action(resource, action);
            default -> Permission.on(Permission.UPDATE, resource);
        });
    }

    private static Permission action(String resource, String action) {
        Permission p = switch (resource) {
            case "volumes" -> VOLUME_ACTIONS.get(action == null ? "" : action);
            case "backupvolumes" -> BACKUP_VOLUME_ACTIONS.get(action == null ? "" : action);
            default -> null;
        };
        return p != null ? p : Permission.on(Permission.UPDATE, resource);
    }

    private static String verb(String method) {
        return switch (method) {
            case "GET", "HEAD" -> Permission.GET;
            case "POST" -> Permission.CREATE;
            case "DELETE" -> Permission.DELETE;
            default -> Permission.UPDATE;
        };
    }
}
