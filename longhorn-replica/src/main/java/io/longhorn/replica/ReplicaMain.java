package io.longhorn.replica;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.types.Address;
import io.longhorn.replica.bench.LoadGenerator;
import io.longhorn.replica.store.CorruptMetadataException;
import io.longhorn.replica.store.InvalidArgumentException;
import io.longhorn.replica.store.NotFoundException;
import io.longhorn.replica.store.Replica;
import io.longhorn.replica.store.ReplicaException;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;

/**
 * Entry point of the replica process. Parses the command line and opens (or creates) the store
 * before Quarkus starts, so that bad arguments and a broken replica directory fail at once with a
 * clear message and a distinct exit code, and the gRPC server never answers for a store that is
 * not there. {@code bench ...} runs the data-protocol load generator instead.
 */
@QuarkusMain
public final class ReplicaMain {
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    /** What main hands to the Quarkus application. */
    record Launch(ReplicaOptions options, Replica replica, Address control, VolumeSecret secret) {
    }

    private static volatile Launch launch;

    private ReplicaMain() {
    }

    static Launch launch() {
        return launch;
    }

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("bench")) {
            System.exit(LoadGenerator.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        ReplicaOptions options;
        try {
            options = ReplicaOptions.parse(args);
        } catch (ReplicaOptions.HelpRequested e) {
            System.out.println(ReplicaOptions.USAGE);
            System.exit(0);
            return;
        } catch (ReplicaOptions.UsageException e) {
            System.err.println("longhorn-replica: " + e.getMessage());
            System.err.println("Run longhorn-replica --help for usage.");
            System.exit(EXIT_USAGE);
            return;
        }
        VolumeSecret secret = null;
        if (options.secretFile() != null) {
            try {
                secret = VolumeSecret.load(options.secretFile());
            } catch (IOException e) {
                System.err.println("longhorn-replica: --secret-file: " + e.getMessage());
                System.exit(EXIT_USAGE);
                return;
            }
        }
        Address control;
        try {
            control = controlAddress(options.listen());
        } catch (IOException e) {
            System.err.println("longhorn-replica: cannot find a free port on " + options.listen().host() + ": " + e.getMessage());
            System.exit(EXIT_FAILED);
            return;
        }
        Replica replica;
        try {
            replica = Replica.openOrCreate(options.dir(), options.size());
        } catch (InvalidArgumentException | NotFoundException e) {
            System.err.println("longhorn-replica: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        } catch (CorruptMetadataException e) {
            System.err.println("longhorn-replica: the replica in " + options.dir() + " is corrupt: " + e.getMessage());
            System.exit(EXIT_FAILED);
            return;
        } catch (ReplicaException e) {
            System.err.println("longhorn-replica: cannot open the replica in " + options.dir() + ": " + e.getMessage());
            System.exit(EXIT_FAILED);
            return;
        }
        launch = new Launch(options, replica, control, secret);
        // Set before Quarkus reads its configuration; system properties outrank application.properties.
        System.setProperty("quarkus.grpc.server.host", control.host());
        System.setProperty("quarkus.grpc.server.port", Integer.toString(control.port()));
        Quarkus.run(ReplicaApp.class, args);
    }

    /**
     * The control address with a concrete port. For port 0 a free port is picked here: the gRPC
     * server does not report the port it bound, and the ready line must name it. Another process
     * could take the port in between; then start-up fails and the caller retries.
     */
    private static Address controlAddress(Address listen) throws IOException {
        if (listen.port() != 0) {
            return listen;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(listen.host(), 0));
            return Address.tcp(listen.host(), s.getLocalPort());
        }
    }
}
