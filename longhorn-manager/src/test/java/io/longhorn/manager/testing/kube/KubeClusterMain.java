package io.longhorn.manager.testing.kube;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts the single-node test cluster for a developer and keeps it until the process is stopped
 * (SIGTERM or Ctrl-C tear it down as the tests do): imports every image the build wrote
 * ({@code <module>/target/image/*.tar}), prints the kubeconfig, and with {@code --apply FILE...}
 * applies manifests. Run by {@code bin/test-cluster}.
 */
public final class KubeClusterMain {
    private KubeClusterMain() {
    }

    public static void main(String[] args) throws Exception {
        KubeCluster cluster = KubeCluster.start();
        Path root = KubeControlPlane.repositoryRoot();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path image : modules.map(m -> m.resolve("target/image")).filter(Files::isDirectory)
                    .flatMap(KubeClusterMain::tarballs).toList()) {
                cluster.importImage(image);
                System.out.println("imported " + image);
            }
        }
        System.out.println("KUBECONFIG=" + cluster.kubeconfig());
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--apply") ) {
                for (i++; i < args.length && !args[i].startsWith("--"); i++) {
                    System.out.println(cluster.controlPlane().kubectl("apply", "--server-side", "-f", args[i]));
                }
                i--;
            }
        }
        System.out.println("cluster ready; stop this process to tear it down");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static Stream<Path> tarballs(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> l = s.filter(f -> f.getFileName().toString().endsWith(".tar")).toList();
            return l.stream();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
