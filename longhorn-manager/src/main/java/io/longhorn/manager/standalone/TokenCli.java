package io.longhorn.manager.standalone;

import io.longhorn.manager.auth.Role;
import io.longhorn.manager.auth.TokenStore;
import io.longhorn.manager.controller.backup.GoDuration;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code longhorn-manager token create|list|revoke}: the standalone API tokens, straight in the
 * data directory's token file (the running manager sees a change at once). Works with the manager
 * stopped too, e.g. to make a new admin token when the last one was lost.
 */
final class TokenCli {
    static final String USAGE = """
            Usage: longhorn-manager token create --name NAME [--role viewer|editor|admin] [--ttl DURATION]
                                                 [--data-dir DIR]
                   longhorn-manager token list [--data-dir DIR]
                   longhorn-manager token revoke ID|NAME [--data-dir DIR]

            Manages the standalone manager's API tokens in DIR/auth/tokens.json (default DIR: ./data).
            create prints the new token once (only its SHA-256 is stored); the role defaults to viewer
            (reads), editor also changes volumes, nodes, settings, backups and jobs, admin also manages
            tokens; --ttl (e.g. 24h, 90m) makes it expire.""";

    private TokenCli() {
    }

    /** Runs the command; the exit code. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        try {
            return execute(args, out);
        } catch (IllegalArgumentException e) {
            err.println("longhorn-manager token: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (RuntimeException e) {
            err.println("longhorn-manager token: " + e.getMessage());
            return 1;
        }
    }

    private static int execute(List<String> args, PrintStream out) {
        if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
            if (args.isEmpty()) {
                throw new IllegalArgumentException("a command is needed: create, list or revoke");
            }
            out.println(USAGE);
            return 0;
        }
        String command = args.getFirst();
        String dataDir = "./data";
        String name = null;
        String role = "viewer";
        String ttl = null;
        String target = null;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--data-dir", "--name", "--role", "--ttl" -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    String v = args.get(++i);
                    switch (a) {
                        case "--data-dir" -> dataDir = v;
                        case "--name" -> name = v;
                        case "--role" -> role = v;
                        default -> ttl = v;
                    }
                }
                default -> {
                    if (a.startsWith("-") || target != null || !"revoke".equals(command)) {
                        throw new IllegalArgumentException("unknown argument \"" + a + "\"");
                    }
                    target = a;
                }
            }
        }
        TokenStore store = new TokenStore(Path.of(dataDir).toAbsolutePath().normalize(), Clock.systemUTC());
        switch (command) {
            case "create" -> {
                if (name == null) {
                    throw new IllegalArgumentException("create needs --name NAME");
                }
                String ttlText = ttl;
                Duration d = ttl == null ? null : GoDuration.parse(ttl).filter(Duration::isPositive).orElseThrow(() ->
                        new IllegalArgumentException("--ttl " + ttlText + ": not a positive duration such as 24h"));
                TokenStore.Created c = store.create(name, Role.of(role), d, false);
                out.println(c.secret());
                return 0;
            }
            case "list" -> {
                out.printf("%-12s  %-24s  %-6s  %-24s  %s%n", "ID", "NAME", "ROLE", "CREATED", "EXPIRES");
                for (TokenStore.Token t : store.tokens()) {
                    out.printf("%-12s  %-24s  %-6s  %-24s  %s%n", t.id(), t.name(), t.role(),
                            t.created().truncatedTo(ChronoUnit.SECONDS),
                            t.expires() == null ? "never" : t.expires().truncatedTo(ChronoUnit.SECONDS));
                }
                return 0;
            }
            case "revoke" -> {
                if (target == null) {
                    throw new IllegalArgumentException("revoke needs the token's ID or NAME");
                }
                if (!store.revoke(target)) {
                    throw new IllegalStateException("no token with the id or name \"" + target + "\" in " + store.file());
                }
                out.println("revoked " + target);
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown command \"" + command + "\": use create, list or revoke");
        }
    }
}
