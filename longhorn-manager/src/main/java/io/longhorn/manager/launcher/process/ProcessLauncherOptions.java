package io.longhorn.manager.launcher.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How the process launcher runs instances.
 *
 * @param binDir       directory holding {@code longhorn-engine} and {@code longhorn-replica}
 * @param host         address instances listen on
 * @param stateDir     where instance records are kept ({@code <data-dir>/instances})
 * @param logDir       where instance output goes ({@code <data-dir>/logs})
 * @param startTimeout how long an instance may take to print its ready line
 * @param env          extra environment for instances
 * @param deviceDir    where the {@code blockdev} frontend links volumes' block devices ({@code /dev/longhorn})
 * @param frontendDir  where the userspace {@code blockdev} path mounts its nbdfuse files
 *                     ({@code <data-dir>/frontends})
 */
public record ProcessLauncherOptions(Path binDir, String host, Path stateDir, Path logDir, Duration startTimeout,
                                     Map<String, String> env, Path deviceDir, Path frontendDir) {

    /** Devices in {@code /dev/longhorn}, FUSE mounts in {@code frontends} next to the state directory. */
    public ProcessLauncherOptions(Path binDir, String host, Path stateDir, Path logDir, Duration startTimeout,
                                  Map<String, String> env) {
        this(binDir, host, stateDir, logDir, startTimeout, env, Path.of("/dev/longhorn"),
                stateDir.toAbsolutePath().resolveSibling("frontends"));
    }
}
