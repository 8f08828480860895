package io.longhorn.manager.standalone;

import io.longhorn.manager.auth.AuthConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Configuration of the standalone runtime ({@code longhorn.*}; the command line sets the common ones). */
@ConfigMapping(prefix = "longhorn")
public interface StandaloneConfig {
    /** Where everything lives: store, replicas (default disk), logs, backups. */
    @WithDefault("./data")
    String dataDir();

    /** This node's name; the host name when empty. */
    Optional<String> nodeName();

    /** This node's zone (Node status {@code zone}); none when empty. */
    Optional<String> zone();

    /** Directory of the {@code longhorn-*} launchers; found next to the manager's own when empty. */
    Optional<String> binDir();

    /** The source tree's root (set by the build for tests); its {@code bin/} is used when binDir is not set. */
    Optional<String> root();

    /** Address instances listen on. */
    @WithDefault("127.0.0.1")
    String instanceHost();

    /** An already running backup service ({@code host:port}); one is started on first use when empty. */
    Optional<String> backupServiceAddress();

    /** How long an instance may take to print its ready line. */
    @WithDefault("90s")
    Duration instanceStartTimeout();

    /** How often a running engine is polled. */
    @WithDefault("1s")
    Duration monitorInterval();

    /** How often every resource is reconciled without a change. */
    @WithDefault("30s")
    Duration resync();

    /** Stop engines and replicas when the manager stops (by default they keep running and are adopted again). */
    @WithDefault("false")
    boolean stopInstancesOnShutdown();

    /**
     * Where the resources live: {@code local} (JSON files in the data directory) or {@code kubernetes}
     * (custom resources in the cluster's {@code longhorn-system} namespace); see {@link ResourceStores}.
     */
    @WithDefault(ResourceStores.LOCAL)
    String store();

    /**
     * How engines and replicas run: {@code process} (local processes) or {@code pod} (a Pod each, on
     * its node); by default {@code pod} with the {@code kubernetes} store, else {@code process}.
     */
    Optional<String> launcher();

    /** Who may use the API and the UI ({@code longhorn.auth.*}). */
    AuthConfig auth();
}
