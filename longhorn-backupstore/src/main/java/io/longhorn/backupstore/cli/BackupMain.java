package io.longhorn.backupstore.cli;

import io.longhorn.api.types.Address;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

/**
 * Entry point. {@code serve --listen HOST:PORT} must set the gRPC server's address (and
 * {@code --secret-file} the secret its calls must prove) before Quarkus starts (it starts the
 * server), so main looks for them first; everything else is picocli's.
 */
@QuarkusMain
public class BackupMain implements QuarkusApplication {

    @Inject
    CommandLine.IFactory factory;

    public static void main(String... args) {
        presetListenAddress(args);
        Quarkus.run(BackupMain.class, args);
    }

    static void presetListenAddress(String[] args) {
        if (args.length == 0 || !args[0].equals("serve")) {
            return;
        }
        String listen = option(args, "--listen", ServeCommand.DEFAULT_LISTEN);
        String secretFile = option(args, "--secret-file", null);
        if (secretFile != null) {
            // Read by the service's interceptor as the server starts, before any call is admitted.
            System.setProperty(ServeCommand.SECRET_FILE_PROPERTY, secretFile);
        }
        try {
            Address a = Address.parse(listen);
            System.setProperty("quarkus.grpc.server.host", a.host());
            System.setProperty("quarkus.grpc.server.port", Integer.toString(a.port()));
        } catch (IllegalArgumentException e) {
            // the serve command reports the bad value
        }
    }

    /** The last value given to {@code --name VALUE} or {@code --name=VALUE} after the command, or {@code otherwise}. */
    private static String option(String[] args, String name, String otherwise) {
        String value = otherwise;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals(name) && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith(name + "=")) {
                value = args[i].substring(name.length() + 1);
            }
        }
        return value;
    }

    @Override
    public int run(String... args) {
        CommandLine cli = new CommandLine(BackupCommand.class, factory);
        cli.setExecutionExceptionHandler(new ErrorHandler());
        return cli.execute(args);
    }
}
