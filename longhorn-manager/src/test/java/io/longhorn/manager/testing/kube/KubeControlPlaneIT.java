package io.longhorn.manager.testing.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The control plane starts from the test binaries, serves the API with the admin certificate,
 * runs the controller manager (a namespace deletion finishes only with its namespace controller),
 * and leaves no process and no work directory behind when closed.
 */
class KubeControlPlaneIT {

    @Test
    void startsServesAndStopsEverything() throws Exception {
        List<ProcessHandle> before = children();
        Path work;
        try (KubeControlPlane cp = KubeControlPlane.start(true)) {
            work = cp.workDir();
            assertTrue(Files.isDirectory(work));
            KubernetesClient c = cp.client();
            assertEquals("1", c.getKubernetesVersion().getMajor());
            assertTrue(cp.kubectl("version").contains("Server Version: v1.32.6"), "kubectl reaches the server");

            c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("doomed").endMetadata().build()).create();
            c.configMaps().inNamespace("doomed").resource(new ConfigMapBuilder().withNewMetadata().withName("x").endMetadata()
                    .addToData("k", "v").build()).create();
            c.namespaces().withName("doomed").delete();
            // Only kube-controller-manager's namespace controller empties the namespace and removes it.
            c.namespaces().withName("doomed").waitUntilCondition(ns -> ns == null, 60, TimeUnit.SECONDS);
            assertNull(c.configMaps().inNamespace("doomed").withName("x").get());
            assertEquals(3, children().size() - before.size(), "etcd, kube-apiserver, kube-controller-manager");
        }
        assertEquals(before.size(), children().size(), "every process stopped");
        assertFalse(Files.exists(work), "work directory removed");
    }

    private static List<ProcessHandle> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
    }
}
