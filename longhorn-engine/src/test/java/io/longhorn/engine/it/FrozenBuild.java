package io.longhorn.engine.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private copy of the launchers and the packaged replica and engine, made once per test run.
 * The tests start services from it, so that a rebuild of a module in the shared work tree while
 * the tests run (another build replacing {@code target/quarkus-app}) cannot pull jars from under a
 * running service. The copy is deleted when the test JVM exits.
 */
final class FrozenBuild {

    private static final List<String> FILES = List.of("bin/longhorn-replica", "bin/longhorn-engine", "bin/lib/launch.sh");
    private static final List<String> APPS = List.of("longhorn-replica/target/quarkus-app", "longhorn-engine/target/quarkus-app");
    private static Path root;

    private FrozenBuild() {
    }

    /** The root of the copy, made on first use. */
    static synchronized Path root() {
        if (root == null) {
            root = copy(ServiceProcess.ROOT);
        }
        return root;
    }

    private static Path copy(Path from) {
        for (String app : APPS) {
            if (!Files.isRegularFile(from.resolve(app).resolve("quarkus-run.jar"))) {
                throw new AssertionError(app + " is not built; build it first: ./mvnw -B install -DskipTests");
            }
        }
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            Path to = null;
            try {
                to = Files.createTempDirectory("lh-engine-it-build");
                for (String f : FILES) {
                    Path target = to.resolve(f);
                    Files.createDirectories(target.getParent());
                    Files.copy(from.resolve(f), target, StandardCopyOption.COPY_ATTRIBUTES);
                }
                for (String app : APPS) {
                    copyTree(from.resolve(app), to.resolve(app));
                }
                Path done = to;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(done)));
                return to;
            } catch (IOException | UncheckedIOException e) {
                // A build replaced files while we copied: try again in a moment.
                last = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                if (to != null) {
                    delete(to);
                }
                org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofSeconds(3)).until(() -> true);
            }
        }
        throw new AssertionError("cannot copy the build from " + from + ": " + last, last);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort, a temporary directory
        }
    }
}
