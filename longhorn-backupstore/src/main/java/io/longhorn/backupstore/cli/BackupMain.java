package io.longhorn.backupstore.cli;

import io.longhorn.api.types.Address;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

/**
 * Entry point. {@code serve --listen HOST:PORT} must set the gRPC server's address before Quarkus
 * starts (it starts the server), so main looks for it first; everything else is picocli's.
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
        String listen = ServeCommand.DEFAULT_LISTEN;
        for (int i = 1; i < args.length; i++) {
            String value = null;
            if (args[i].equals("--listen") && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith("--listen=")) {
                value = args[i].substring("--listen=".length());
            }
            if (value != null) {
                listen = value;
            }
        }
        try {
            Address a = Address.parse(listen);
            System.setProperty("quarkus.grpc.server.host", a.host());
            System.setProperty("quarkus.grpc.server.port", Integer.toString(a.port()));
        } catch (IllegalArgumentException e) {
            // the serve command reports the bad value
        }
    }

    @Override
    public int run(String... args) {
        CommandLine cli = new CommandLine(BackupCommand.class, factory);
        cli.setExecutionExceptionHandler(new ErrorHandler());
        return cli.execute(args);
    }
}
