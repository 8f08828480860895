package io.longhorn.engine.control;

import io.longhorn.api.types.Address;
import io.longhorn.engine.IoFlusher;
import io.longhorn.engine.backend.ControlTimeouts;
import io.longhorn.engine.backend.RemoteReplicaConnector;
import io.longhorn.engine.cli.ControllerArgs;
import io.longhorn.engine.controller.EngineOptions;
import io.longhorn.engine.controller.FrontendFactory;
import io.longhorn.engine.controller.VolumeController;
import io.longhorn.engine.controller.VolumeException;
import io.longhorn.engine.controller.VolumeStarter;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The engine process once Quarkus (and with it the gRPC server) is up: starts the volume over its
 * replicas, starts the frontend, prints the ready line, and waits for a signal. Exit code 1 when
 * the volume cannot start.
 */
public class EngineApp implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(EngineApp.class);
    public static final int EXIT_FAILED = 1;

    @Inject
    EngineConfig config;

    @Inject
    EngineHolder holder;

    @Inject
    EngineAuth auth;

    @Override
    public int run(String... args) {
        IoFlusher.Result flusher = IoFlusher.atStart();
        if (flusher != null) {
            LOG.info(flusher.message());
        }
        if (config.volume().isEmpty()) {
            LOG.warn("no volume configured (longhorn.engine.volume); serving the control API only");
            Quarkus.waitForExit();
            return 0;
        }
        String volume = config.volume().get();
        if (auth.secret() == null) {
            LOG.warnf("volume %s: started without --secret-file: replicas and control callers need not prove the "
                    + "volume's secret", volume);
        }
        VolumeController controller;
        try {
            FrontendFactory frontends = frontends(volume);
            Duration timeout = config.replicaTimeout();
            // Unique per process start: replicas fence off the data connections of every other id.
            String engineId = volume + "-" + UUID.randomUUID();
            controller = VolumeStarter.start(new EngineOptions(volume, config.replicas().orElse(List.of()), timeout,
                            config.minGeneration(), config.salvage(), config.replicaWait()),
                    new RemoteReplicaConnector(ControlTimeouts.of(timeout), timeout, volume, engineId,
                            auth.secret()), frontends);
        } catch (VolumeException | IllegalArgumentException e) {
            System.err.println("longhorn-engine: " + e.getMessage());
            return EXIT_FAILED;
        }
        holder.set(controller);
        if (!controller.salvaged().isEmpty()) {
            System.out.println("engine salvaged: volume " + volume + " serves although " + controller.salvaged());
            System.out.flush();
        }
        try {
            controller.startFrontend();
        } catch (IOException | RuntimeException e) {
            System.err.println("longhorn-engine: volume " + volume + ": cannot start the frontend: " + e.getMessage());
            holder.close();
            return EXIT_FAILED;
        }
        String endpoint = controller.endpoint();
        String ready = "engine ready: control=" + config.listen()
                + (endpoint.isEmpty() ? " frontend=none" : " " + scheme(endpoint) + "=" + endpoint);
        LOG.info(ready);
        System.out.println(ready);
        System.out.flush();
        Quarkus.waitForExit();
        holder.close();
        return 0;
    }

    private FrontendFactory frontends(String volume) {
        return switch (config.frontend()) {
            case "none" -> FrontendFactory.NONE;
            case "nbd" -> new NbdFrontendFactory(volume,
                    ControllerArgs.NO_TCP.equals(config.nbdListen()) ? null : Address.parse(config.nbdListen()),
                    config.nbdSocket().map(Path::of).orElse(null));
            default -> throw new IllegalArgumentException("unknown frontend \"" + config.frontend()
                    + "\": use nbd or none");
        };
    }

    private static String scheme(String endpoint) {
        return endpoint.startsWith("nbd+unix") ? "nbd-unix" : "nbd";
    }
}
