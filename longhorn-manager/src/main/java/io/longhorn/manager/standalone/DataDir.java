package io.longhorn.manager.standalone;

import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The data directory (absolute) and where the {@code bin/} launchers are. */
@Singleton
public class DataDir {
    private final Path path;
    private final Path binDir;

    public DataDir(StandaloneConfig config) {
        this.path = Path.of(config.dataDir()).toAbsolutePath().normalize();
        this.binDir = config.binDir().map(Path::of)
                .or(() -> config.root().map(r -> Path.of(r, "bin"))).or(DataDir::binNextToJar).orElse(Path.of("bin"))
                .toAbsolutePath().normalize();
    }

    public Path path() {
        return path;
    }

    public Path binDir() {
        return binDir;
    }

    /** {@code <root>/longhorn-manager/target/quarkus-app/app/<jar>} has its launchers in {@code <root>/bin}. */
    private static Optional<Path> binNextToJar() {
        try {
            Path jar = Path.of(DataDir.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar; p != null; p = p.getParent()) {
                if (Files.isExecutable(p.resolve("bin").resolve("longhorn-engine"))) {
                    return Optional.of(p.resolve("bin"));
                }
            }
        } catch (Exception e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
