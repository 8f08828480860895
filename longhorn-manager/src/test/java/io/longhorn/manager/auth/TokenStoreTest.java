package io.longhorn.manager.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void aTokenIsVerifiedByItsHashAndRefusedOnceRevoked() throws Exception {
        TokenStore store = new TokenStore(dir, clock);
        TokenStore.Created c = store.create("ci", Role.EDITOR, null, false);
        assertTrue(c.secret().startsWith("lh_") && c.secret().length() > 40, c.secret());
        assertEquals(Optional.of("ci"), store.verify(c.secret()).map(TokenStore.Token::name));
        assertEquals(Optional.empty(), store.verify(c.secret() + "x"));
        assertEquals(Optional.empty(), store.verify(""));
        String text = Files.readString(store.file());
        assertFalse(text.contains(c.secret()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file().getParent())));
        assertTrue(store.revoke(c.token().id()));
        assertEquals(Optional.empty(), store.verify(c.secret()));
        assertFalse(store.revoke(c.token().id()));
    }

    @Test
    void anotherStoreOnTheSameFileSeesItsChangesAtOnce() {
        TokenStore manager = new TokenStore(dir, clock);
        TokenStore commandLine = new TokenStore(dir, clock);
        TokenStore.Created c = commandLine.create("from-cli", Role.VIEWER, null, false);
        assertTrue(manager.verify(c.secret()).isPresent());
        commandLine.revoke("from-cli");
        assertTrue(manager.verify(c.secret()).isEmpty());
    }

    @Test
    void anExpiredTokenIsRefused() {
        TokenStore store = new TokenStore(dir, clock);
        TokenStore.Created c = store.create("short", Role.VIEWER, Duration.ofHours(1), false);
        assertTrue(store.verify(c.secret()).isPresent());
        now.set(now.get().plus(Duration.ofHours(1)));
        assertTrue(store.verify(c.secret()).isEmpty());
    }

    @Test
    void badNamesRolesAndDuplicatesAreRefused() {
        TokenStore store = new TokenStore(dir, clock);
        assertThrows(IllegalArgumentException.class, () -> store.create("", Role.VIEWER, null, false));
        assertThrows(IllegalArgumentException.class, () -> store.create("a b", Role.VIEWER, null, false));
        assertThrows(IllegalArgumentException.class, () -> Role.of("root"));
        store.create("one", Role.VIEWER, null, false);
        var e = assertThrows(IllegalArgumentException.class, () -> store.create("one", Role.ADMIN, null, false));
        assertTrue(e.getMessage().contains("exists"), e.getMessage());
        assertEquals(1, store.tokens().size());
    }

    @Test
    void theFirstStartMakesAnAdminTokenOnceAndAFileTokenReplacesIt() throws Exception {
        TokenStore store = new TokenStore(dir, clock);
        Optional<String> printed = ApiAccess.bootstrap(store, Optional.empty());
        assertTrue(printed.isPresent());
        assertEquals(Role.ADMIN, store.verify(printed.get()).orElseThrow().roleValue());
        assertEquals(Optional.empty(), ApiAccess.bootstrap(store, Optional.empty()), "only at the first start");

        Path file = dir.resolve("admin-token");
        Files.writeString(file, "lh_a-known-admin-token-from-a-file\n");
        ApiAccess.bootstrap(store, Optional.of(file));
        assertEquals(Role.ADMIN, store.verify("lh_a-known-admin-token-from-a-file").orElseThrow().roleValue());
        assertTrue(store.verify(printed.get()).isEmpty(), "the file's token replaced the admin token");
        ApiAccess.bootstrap(store, Optional.of(file));
        assertEquals(1, store.tokens().size());
    }
}
