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
    /** The property {@code --secret-file} sets (also {@code LONGHORN_BACKUP_SECRET_FILE}). */
    public static final String SECRET_FILE_PROPERTY = "longhorn.backup.secret-file";

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = DEFAULT_LISTEN,
            description = "Address of the gRPC server; default ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--secret-file", paramLabel = "PATH",
            description = "The service's secret (32 bytes, mode 0600 or 0400): every call must prove it holds it "
                    + "(the manager makes it and gives it). Without it the service takes calls from anyone who "
                    + "reaches its address: for a service run by hand on loopback.")
    String secretFile;

    @jakarta.inject.Inject
    io.longhorn.backupstore.service.ServiceAuth auth;

    @Override
    public Integer call() {
        Address a;
        try {
            a = Address.parse(listen);
        } catch (IllegalArgumentException e) {
            throw new io.longhorn.backupstore.error.InvalidInputException("invalid --listen: " + e.getMessage());
        }
        if (!auth.enabled()) {
            spec.commandLine().getErr().println("warning: no --secret-file: the backup service takes calls from anyone who"
                    + " reaches " + a.hostPort());
        }
        spec.commandLine().getOut().println("backup service ready: grpc=" + a.hostPort());
        spec.commandLine().getOut().flush();
        Quarkus.waitForExit();
        return 0;
    }
}
