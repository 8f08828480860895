package io.longhorn.backupstore.cli;

import io.longhorn.api.types.Address;
import io.quarkus.runtime.Quarkus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: runs the gRPC backup service until stopped. The address is applied before
 * start-up by {@link BackupMain}; here it is only validated and announced.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the gRPC backup service.")
public class ServeCommand implements Callable<Integer> {
    static final String DEFAULT_LISTEN = "127.0.0.1:9503";

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = DEFAULT_LISTEN,
            description = "Address of the gRPC server; default ${DEFAULT-VALUE}.")
    String listen;

    @Override
    public Integer call() {
        Address a;
        try {
            a = Address.parse(listen);
        } catch (IllegalArgumentException e) {
            throw new io.longhorn.backupstore.error.InvalidInputException("invalid --listen: " + e.getMessage());
        }
        spec.commandLine().getOut().println("backup service ready: grpc=" + a.hostPort());
        spec.commandLine().getOut().flush();
        Quarkus.waitForExit();
        return 0;
    }
}
