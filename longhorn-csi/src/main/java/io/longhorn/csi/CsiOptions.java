package io.longhorn.csi;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The driver's command line, checked. */
public record CsiOptions(Path socket, String managerUrl, String nodeId, Path stateDir, InetSocketAddress healthListen,
                         Optional<Path> managerTokenFile) {
    /** In a Pod: the service account's token, which the manager checks with the cluster (TokenReview, RBAC). */
    public static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    public static final String USAGE = """
            Usage: longhorn-csi --endpoint unix:///PATH/csi.sock --manager-url http://HOST:9500/v1 [--node-id NAME]
                                [--state-dir DIR] [--health-listen HOST:PORT] [--manager-token-file FILE]

            The Longhorn CSI driver (driver.longhorn.io): Identity, Controller and Node services on a Unix socket.

              --endpoint URL        unix:///path/csi.sock (or a plain path) to serve on
              --manager-url URL     the manager's /v1 API
              --node-id NAME        this node's name as the manager knows it (default: the host name)
              --state-dir DIR       where the node keeps its per-volume devices (default /var/lib/longhorn-csi)
              --health-listen H:P   serve GET /healthz on this address (off by default)
              --manager-token-file FILE
                                    the bearer token for the manager's API, read again for each call
                                    (default: the Pod's service account token,
                                    /var/run/secrets/kubernetes.io/serviceaccount/token, when there is one;
                                    standalone: a token made with "longhorn-manager token create --role editor")
              -h, --help            show this help""";

    /** Thrown for --help. */
    public static final class HelpException extends Exception {
        HelpException() {
            super("help");
        }
    }

    public static CsiOptions parse(List<String> args, String hostName) throws HelpException {
        return parse(args, hostName, SERVICE_ACCOUNT_TOKEN);
    }

    /** As {@link #parse(List, String)}, with the default token file given (tests). */
    static CsiOptions parse(List<String> args, String hostName, Path defaultTokenFile) throws HelpException {
        String endpoint = null;
        String manager = null;
        String node = hostName;
        String state = "/var/lib/longhorn-csi";
        String health = null;
        String tokenFile = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (name.equals("-h") || name.equals("--help")) {
                throw new HelpException();
            }
            if (!List.of("--endpoint", "--manager-url", "--node-id", "--state-dir", "--health-listen", "--manager-token-file")
                    .contains(name)) {
                throw new IllegalArgumentException("unknown argument \"" + a + "\"");
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args.get(++i);
            }
            switch (name) {
                case "--endpoint" -> endpoint = value;
                case "--manager-url" -> manager = value;
                case "--node-id" -> node = value;
                case "--state-dir" -> state = value;
                case "--manager-token-file" -> tokenFile = value;
                default -> health = value;
            }
        }
        if (endpoint == null || endpoint.isEmpty()) {
            throw new IllegalArgumentException("--endpoint is required");
        }
        Path socket;
        if (endpoint.startsWith("unix://")) {
            socket = Path.of(endpoint.substring("unix://".length()));
        } else if (endpoint.contains("://")) {
            throw new IllegalArgumentException("--endpoint " + endpoint + ": only unix:// endpoints are served");
        } else {
            socket = Path.of(endpoint);
        }
        if (!socket.isAbsolute()) {
            throw new IllegalArgumentException("--endpoint " + endpoint + ": the socket path must be absolute");
        }
        if (manager == null || !(manager.startsWith("http://") || manager.startsWith("https://"))) {
            throw new IllegalArgumentException("--manager-url http(s)://HOST:PORT/v1 is required");
        }
        if (node == null || node.isEmpty()) {
            throw new IllegalArgumentException("--node-id is required (the host name is unknown)");
        }
        InetSocketAddress listen = null;
        if (health != null) {
            int colon = health.lastIndexOf(':');
            try {
                listen = new InetSocketAddress(colon <= 0 ? "0.0.0.0" : health.substring(0, colon),
                        Integer.parseInt(health.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--health-listen " + health + ": not HOST:PORT");
            }
        }
        Optional<Path> token;
        if (tokenFile != null) {
            if (!Files.isReadable(Path.of(tokenFile))) {
                throw new IllegalArgumentException("--manager-token-file " + tokenFile + ": not a readable file");
            }
            token = Optional.of(Path.of(tokenFile));
        } else {
            token = Optional.of(defaultTokenFile).filter(Files::isReadable);
        }
        return new CsiOptions(socket, manager, node, Path.of(state), listen, token);
    }
}
