package io.longhorn.manager.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.auth.Role;
import io.longhorn.manager.auth.TokenStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCliTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data-dir", dir.toString()));
        return TokenCli.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aTokenIsCreatedListedAndRevokedFromTheCommandLine() {
        assertEquals(0, run("create", "--name", "ci", "--role", "editor", "--ttl", "24h"));
        String secret = out.toString(StandardCharsets.UTF_8).trim();
        TokenStore store = new TokenStore(dir, Clock.systemUTC());
        assertEquals(Role.EDITOR, store.verify(secret).orElseThrow().roleValue());
        assertEquals(0, run("list"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("ci"), out.toString(StandardCharsets.UTF_8));
        assertTrue(!out.toString(StandardCharsets.UTF_8).contains(secret), "list never shows a token");
        assertEquals(0, run("revoke", "ci"));
        assertTrue(store.verify(secret).isEmpty());
        assertEquals(1, run("revoke", "ci"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no token with the id or name \"ci\""));
    }

    @Test
    void badArgumentsAreRefusedNamingThem() {
        assertEquals(2, run("create", "--role", "root", "--name", "x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown role \"root\""), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("create"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--name"));
        assertEquals(2, run("create", "--name", "x", "--ttl", "soon"));
        assertEquals(2, run("frobnicate"));
        assertTrue(new TokenStore(dir, Clock.systemUTC()).tokens().isEmpty(), "nothing was stored");
    }
}
