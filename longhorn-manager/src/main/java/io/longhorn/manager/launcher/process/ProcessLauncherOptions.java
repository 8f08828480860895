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
 */
public record ProcessLauncherOptions(Path binDir, String host, Path stateDir, Path logDir, Duration startTimeout,
                                     Map<String, String> env) {
}
