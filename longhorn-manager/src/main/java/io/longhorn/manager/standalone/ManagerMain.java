package io.longhorn.manager.standalone;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.List;

/**
 * {@code longhorn-manager [--data-dir DIR] [--listen HOST:PORT] [--node-name NAME] [--zone ZONE] [--bin-dir DIR]}:
 * turns the command line into configuration before Quarkus starts, then runs until stopped.
 */
@QuarkusMain
public class ManagerMain implements QuarkusApplication {
    static final String USAGE = """
            Usage: longhorn-manager [--data-dir DIR] [--listen HOST:PORT] [--node-name NAME] [--zone ZONE]
                                    [--bin-dir DIR] [--admin-token-file FILE] [--metrics open|token|off]
                   longhorn-manager token create|list|revoke ...   (longhorn-manager token --help)
                   longhorn-manager uninstall [--timeout SECONDS]

            Runs the Longhorn manager standalone: REST API, metrics and controllers on one host, with
            engines and replicas as local processes.

              --data-dir DIR        where volumes, state, logs and backups live (default ./data)
              --listen HOST:PORT    REST API address (default 0.0.0.0:9500)
              --node-name NAME      this node's name (default: the host name)
              --zone ZONE           this node's zone, for replica-zone-soft-anti-affinity and
                                    replica-auto-balance (default: none)
              --bin-dir DIR         where the longhorn-engine, longhorn-replica and longhorn-backup
                                    launchers are (default: found next to this one)
              --admin-token-file FILE
                                    the admin API token is the one in FILE (else a random one is made
                                    and printed at the first start; only its hash is kept)
              --metrics MODE        /metrics without a token (open, the default), with one (token),
                                    or not served (off)
              --stop-instances-on-shutdown
                                    stop engines and replicas when the manager stops (by default they
                                    keep serving and are adopted at the next start)
              -h, --help            show this help

            uninstall (what the job of deploy/longhorn-uninstall.yaml runs in a cluster) deletes every
            volume with its data, stops the managers and deletes Longhorn's resources; it refuses
            unless the setting deleting-confirmation-flag is true.""";

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("uninstall")) {
            System.exit(io.longhorn.manager.uninstall.Uninstaller.main(List.of(args).subList(1, args.length)));
        }
        if (args.length > 0 && "token".equals(args[0])) {
            System.exit(TokenCli.run(List.of(args).subList(1, args.length), System.out, System.err));
        }
        try {
            apply(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("longhorn-manager: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        } catch (HelpException e) {
            System.out.println(USAGE);
            return;
        }
        Quarkus.run(ManagerMain.class, args);
    }

    @Override
    public int run(String... args) {
        Quarkus.waitForExit();
        return 0;
    }

    /** Thrown for --help. */
    static final class HelpException extends Exception {
        HelpException() {
            super("help");
        }
    }

    static void apply(List<String> args) throws HelpException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> throw new HelpException();
                case "--stop-instances-on-shutdown" -> System.setProperty("longhorn.stop-instances-on-shutdown", "true");
                case "--data-dir", "--listen", "--node-name", "--zone", "--bin-dir", "--admin-token-file", "--metrics" -> {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new IllegalArgumentException(name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    set(name, value);
                }
                default -> throw new IllegalArgumentException("unknown argument \"" + a + "\"");
            }
        }
    }

    private static void set(String name, String value) {
        switch (name) {
            case "--data-dir" -> System.setProperty("longhorn.data-dir", value);
            case "--node-name" -> System.setProperty("longhorn.node-name", value);
            case "--zone" -> System.setProperty("longhorn.zone", value);
            case "--bin-dir" -> System.setProperty("longhorn.bin-dir", value);
            case "--admin-token-file" -> System.setProperty("longhorn.auth.admin-token-file", value);
            case "--metrics" -> {
                if (!List.of("open", "token", "off").contains(value)) {
                    throw new IllegalArgumentException("--metrics " + value + ": use open, token or off");
                }
                System.setProperty("longhorn.auth.metrics", value);
            }
            default -> {
                int colon = value.lastIndexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("--listen " + value + ": expected HOST:PORT");
                }
                String port = value.substring(colon + 1);
                try {
                    int p = Integer.parseInt(port);
                    if (p < 0 || p > 65535) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--listen " + value + ": invalid port \"" + port + "\"");
                }
                String host = value.substring(0, colon);
                System.setProperty("quarkus.http.host", host.isEmpty() ? "0.0.0.0" : host);
                System.setProperty("quarkus.http.port", port);
            }
        }
    }
}
