package io.longhorn.engine.control;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The engine's settings. {@code bin/longhorn-engine controller} turns its flags into these
 * properties; they can also come from the environment ({@code LONGHORN_ENGINE_REPLICA_TIMEOUT}).
 */
@ConfigMapping(prefix = "longhorn.engine")
public interface EngineConfig {

    /** The volume name; without it the process serves no volume. */
    Optional<String> volume();

    /** Control addresses of the replicas, in order of preference. */
    Optional<List<String>> replicas();

    /** "nbd" or "none". */
    @WithDefault("nbd")
    String frontend();

    /** TCP address of the NBD export, or {@code none} to serve it only on {@link #nbdSocket()}. */
    @WithDefault("127.0.0.1:10809")
    String nbdListen();

    /** Also serve NBD on this Unix socket. */
    Optional<String> nbdSocket();

    /** How long a replica may leave a request unanswered before it is set to ERR. */
    @WithDefault("8s")
    Duration replicaTimeout();

    /**
     * How long the start keeps asking a replica that does not answer yet (its process may still be
     * starting) before it counts as unreachable. Zero: each replica is asked once.
     */
    @WithDefault("0s")
    Duration replicaWait();

    /**
     * The lowest generation the volume may serve from: the last one the manager saw this
     * volume's engine record. Replicas below it are stale; the engine refuses to start on them
     * unless {@link #salvage()}.
     */
    @WithDefault("0")
    long minGeneration();

    /** Serve from the best remaining replicas even when they are behind (logged loudly). */
    @WithDefault("false")
    boolean salvage();

    /**
     * The volume's secret file (32 bytes, mode 0600): replicas and control callers must prove they
     * hold the same secret. Without it the engine connects to replicas and serves control calls
     * without proof (only for engines run by hand).
     */
    Optional<String> secretFile();

    /** The control address as given by --listen, for the ready line. */
    @WithDefault("127.0.0.1:9501")
    String listen();
}
