package io.longhorn.manager.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PermissionsTest {
    private static String need(String method, String path, String action) {
        return Permissions.required(method, path, action).map(Permission::toString).orElse("signed in");
    }

    @Test
    void readsNeedGetOrList() {
        assertEquals("list volumes.longhorn.io", need("GET", "/v1/volumes", null));
        assertEquals("get volumes.longhorn.io", need("GET", "/v1/volumes/vol1", null));
        assertEquals("list nodes.longhorn.io", need("GET", "v1/nodes/", null));
        assertEquals("get volumes.longhorn.io", need("POST", "/v1/volumes/vol1", "snapshotList"));
        assertEquals("get backupvolumes.longhorn.io", need("POST", "/v1/backupvolumes/vol1", "backupList"));
        assertEquals("list volumes.longhorn.io", need("GET", "/v1/events", null));
        assertEquals("get /metrics", need("GET", "/metrics", null));
    }

    @Test
    void actionsNeedTheVerbOnTheResourceTheyChange() {
        assertEquals("update volumes.longhorn.io", need("POST", "/v1/volumes/vol1", "attach"));
        assertEquals("update volumes.longhorn.io", need("POST", "/v1/volumes/vol1", "expand"));
        assertEquals("create snapshots.longhorn.io", need("POST", "/v1/volumes/vol1", "snapshotCreate"));
        assertEquals("delete snapshots.longhorn.io", need("POST", "/v1/volumes/vol1", "snapshotPurge"));
        assertEquals("create backups.longhorn.io", need("POST", "/v1/volumes/vol1", "snapshotBackup"));
        assertEquals("delete replicas.longhorn.io", need("POST", "/v1/volumes/vol1", "replicaRemove"));
        assertEquals("delete backups.longhorn.io", need("POST", "/v1/backupvolumes/vol1", "backupDelete"));
        assertEquals("create volumes.longhorn.io", need("POST", "/v1/volumes", null));
        assertEquals("delete volumes.longhorn.io", need("DELETE", "/v1/volumes/vol1", null));
        assertEquals("update settings.longhorn.io", need("PUT", "/v1/settings/backup-target", null));
        assertEquals("update nodes.longhorn.io", need("POST", "/v1/nodes/n1", "diskUpdate"));
        assertEquals("create tokens.longhorn.io", need("POST", "/v1/tokens", null));
        assertEquals("update volumes.longhorn.io", need("POST", "/v1/volumes/vol1", null));
    }

    @Test
    void theRootWhoAmIAndLogOutNeedOnlyASignedInUser() {
        assertEquals(Optional.empty(), Permissions.required("GET", "/v1", null));
        assertEquals(Optional.empty(), Permissions.required("GET", "/v1/auth/whoami", null));
        assertEquals(Optional.empty(), Permissions.required("POST", "/v1/auth/logout", null));
        assertEquals("create /v1/auth/whoami", need("POST", "/v1/auth/whoami", null));
    }

    @Test
    void rolesAllowWhatTheyName() {
        Permission attach = Permission.on(Permission.UPDATE, "volumes");
        Permission list = Permission.on(Permission.LIST, "volumes");
        Permission tokens = Permission.on(Permission.CREATE, Permission.TOKENS);
        Permission readTokens = Permission.on(Permission.LIST, Permission.TOKENS);
        assertTrue(Role.VIEWER.allows(list));
        assertFalse(Role.VIEWER.allows(attach));
        assertFalse(Role.VIEWER.allows(readTokens));
        assertTrue(Role.EDITOR.allows(attach));
        assertFalse(Role.EDITOR.allows(tokens));
        assertTrue(Role.ADMIN.allows(tokens));
        assertTrue(Role.VIEWER.allows(Permission.onPath(Permission.GET, "/metrics")));
    }
}
