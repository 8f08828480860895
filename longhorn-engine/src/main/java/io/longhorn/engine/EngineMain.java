package io.longhorn.engine;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.types.Address;
import io.longhorn.engine.cli.ControllerArgs;
import io.longhorn.engine.cli.EngineCli;
import io.longhorn.engine.cli.UsageException;
import io.longhorn.engine.control.EngineApp;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code longhorn-engine}. {@code controller ...} validates its flags, turns them
 * into configuration and starts Quarkus (the gRPC server and the volume); every other command is a
 * client of a running engine and runs without starting Quarkus.
 */
@QuarkusMain
public final class EngineMain {

    private EngineMain() {
    }

    public static void main(String... args) {
        if (args.length == 0 || !args[0].equals("controller")) {
            System.exit(EngineCli.run(args, System.out, System.err));
            return;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            System.out.println(ControllerArgs.USAGE);
            System.exit(0);
            return;
        }
        // Before any other thread of ours starts: they inherit the flag (see IoFlusher).
        IoFlusher.markAtStart();
        ControllerArgs parsed;
        try {
            parsed = ControllerArgs.parse(rest);
        } catch (UsageException e) {
            System.err.println("longhorn-engine controller: " + e.getMessage());
            System.err.println("Run longhorn-engine controller --help for usage.");
            System.exit(EngineCli.EXIT_USAGE);
            return;
        }
        if (parsed.secretFile() != null) {
            try {
                VolumeSecret.load(parsed.secretFile());
            } catch (IOException e) {
                System.err.println("longhorn-engine controller: --secret-file: " + e.getMessage());
                System.exit(EngineCli.EXIT_USAGE);
                return;
            }
        }
        Address control;
        try {
            control = concrete(parsed.listen());
        } catch (IOException e) {
            System.err.println("longhorn-engine controller: cannot listen on " + parsed.listen().hostPort() + ": "
                    + e.getMessage());
            System.exit(EngineApp.EXIT_FAILED);
            return;
        }
        // System properties outrank application.properties, and are read when Quarkus starts.
        parsed.properties(control).forEach(System::setProperty);
        Quarkus.run(EngineApp.class, (code, failure) -> {
            if (failure != null) {
                System.err.println("longhorn-engine controller: " + failure.getMessage());
            }
            System.exit(failure != null && code == 0 ? EngineApp.EXIT_FAILED : code);
        });
    }

    /**
     * The control address with a concrete port: for port 0 a free one is picked here, since the
     * ready line must name it and the gRPC server does not report the port it bound.
     */
    private static Address concrete(Address listen) throws IOException {
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
