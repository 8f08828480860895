package io.longhorn.csi;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** The driver's command line, checked. */
public record CsiOptions(Path socket, String managerUrl, String nodeId, Path stateDir, InetSocketAddress healthListen) {
    public static final String USAGE = """
            Usage: longhorn-csi --endpoint unix:///PATH/csi.sock --manager-url http://HOST:9500/v1 [--node-id NAME]
                                [--state-dir DIR] [--health-listen HOST:PORT]

            The Longhorn CSI driver (driver.longhorn.io): Identity, Controller and Node services on a Unix socket.

              --endpoint URL        unix:///path/csi.sock (or a plain path) to serve on
              --manager-url URL     the manager's /v1 API
              --node-id NAME        this node's name as the manager knows it (default: the host name)
              --state-dir DIR       where the node keeps its per-volume devices (default /var/lib/longhorn-csi)
              --health-listen H:P   serve GET /healthz on this address (off by default)
              -h, --help            show this help""";

    /** Thrown for --help. */
    public static final class HelpException extends Exception {
        HelpException() {
            super("help");
        }
    }

    public static CsiOptions parse(List<String> args, String hostName) throws HelpException {
        String endpoint = null;
        String manager = null;
        String node = hostName;
        String state = "/var/lib/longhorn-csi";
        String health = null;
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
            if (!List.of("--endpoint", "--manager-url", "--node-id", "--state-dir", "--health-listen").contains(name)) {
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
        return new CsiOptions(socket, manager, node, Path.of(state), listen);
    }
}
