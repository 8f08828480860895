package io.longhorn.replica;

import io.longhorn.api.types.Address;
import io.longhorn.api.types.Sizes;
import io.longhorn.replica.store.Replica;

import java.nio.file.Path;

/**
 * The replica's command line.
 *
 * @param listen     gRPC control address
 * @param dataListen data server TCP address
 * @param dataSocket data server Unix socket, or null
 * @param size       size for a new replica in bytes, 0 when not given
 * @param dir        the replica directory
 * @param secretFile the volume's secret file, or null to serve without one
 */
public record ReplicaOptions(Address listen, Address dataListen, Path dataSocket, long size, Path dir, Path secretFile) {

    public static final String USAGE = """
            Usage: longhorn-replica [--listen HOST:PORT] [--data-listen HOST:PORT] [--data-socket PATH]
                                    [--size SIZE] [--secret-file PATH] DIR
                   longhorn-replica bench --help

            Serves one replica of a volume from DIR, creating it when DIR holds none.

              --listen HOST:PORT       gRPC control address (default 0.0.0.0:9502; port 0 picks a free one)
              --data-listen HOST:PORT  data protocol address (default: the control host, port + 1;
                                       a free port when the control port is 0)
              --data-socket PATH       also serve the data protocol on this Unix socket
              --size SIZE              size of a new replica, e.g. 10Gi; a multiple of 4096
                                       (required when DIR is new; must match when DIR exists)
              --secret-file PATH       the volume's secret: 32 bytes, mode 0600 (or 0400). Every data
                                       connection and every control call must prove it holds the same
                                       secret (a challenge-response; the secret never crosses the
                                       wire) or is refused. The manager always gives one. Without it
                                       the replica serves anyone who reaches its ports: only for local
                                       tools run by hand, on loopback.
              -h, --help               show this help

            Prints "replica ready: control=HOST:PORT data=tcp://HOST:PORT [socket=PATH] dir=DIR size=N"
            once it serves. SIGTERM shuts it down cleanly (exit code 143); it exits with 1 when the replica
            cannot be opened or served and with 2 on bad arguments.""";

    static final String DEFAULT_LISTEN = "0.0.0.0:9502";

    /** The arguments are wrong; the message says which and why. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    /** Thrown for --help; not an error. */
    public static final class HelpRequested extends Exception {
        public HelpRequested() {
            super("help");
        }
    }

    public static ReplicaOptions parse(String... args) throws UsageException, HelpRequested {
        String listen = null;
        String dataListen = null;
        String dataSocket = null;
        String size = null;
        String dir = null;
        String secretFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> throw new HelpRequested();
                case "--listen", "--data-listen", "--data-socket", "--size", "--secret-file" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (name) {
                        case "--listen" -> listen = once(name, listen, value);
                        case "--data-listen" -> dataListen = once(name, dataListen, value);
                        case "--data-socket" -> dataSocket = once(name, dataSocket, value);
                        case "--secret-file" -> secretFile = once(name, secretFile, value);
                        default -> size = once(name, size, value);
                    }
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option " + a);
                    }
                    if (dir != null) {
                        throw new UsageException("one replica directory expected, got " + dir + " and " + a);
                    }
                    dir = a;
                }
            }
        }
        if (dir == null || dir.isBlank()) {
            throw new UsageException("the replica directory DIR is missing");
        }
        Address control = tcpAddress("--listen", listen == null ? DEFAULT_LISTEN : listen);
        Address data;
        if (dataListen != null) {
            data = tcpAddress("--data-listen", dataListen);
        } else if (control.port() == 0) {
            data = Address.tcp(control.host(), 0);
        } else if (control.port() == 65535) {
            throw new UsageException("--listen port 65535 leaves no port + 1 for data; give --data-listen");
        } else {
            data = Address.tcp(control.host(), control.port() + 1);
        }
        if (control.port() != 0 && data.port() == control.port() && data.host().equals(control.host())) {
            throw new UsageException("--data-listen " + dataListen + " is the control address");
        }
        long bytes = 0;
        if (size != null) {
            try {
                bytes = Sizes.parse(size);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--size: " + e.getMessage());
            }
            if (bytes <= 0 || bytes % Replica.BLOCK_SIZE != 0) {
                throw new UsageException("--size " + size + " must be positive and a multiple of " + Replica.BLOCK_SIZE + " bytes");
            }
        }
        Path socket = null;
        if (dataSocket != null) {
            if (dataSocket.isBlank()) {
                throw new UsageException("--data-socket needs a path");
            }
            socket = Path.of(dataSocket).toAbsolutePath();
        }
        if (secretFile != null && secretFile.isBlank()) {
            throw new UsageException("--secret-file needs a path");
        }
        return new ReplicaOptions(control, data, socket, bytes, Path.of(dir).toAbsolutePath().normalize(),
                secretFile == null ? null : Path.of(secretFile).toAbsolutePath());
    }

    private static String once(String name, String old, String value) throws UsageException {
        if (old != null) {
            throw new UsageException(name + " given twice");
        }
        return value;
    }

    private static Address tcpAddress(String flag, String text) throws UsageException {
        Address a;
        try {
            a = Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
        if (a.isUnix()) {
            throw new UsageException(flag + " " + text + ": expected HOST:PORT, not a Unix socket");
        }
        return a;
    }
}
