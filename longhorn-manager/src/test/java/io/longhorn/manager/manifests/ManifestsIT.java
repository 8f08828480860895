package io.longhorn.manager.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.standalone.ResourceStores;
import io.longhorn.manager.store.ResourceEvent;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.kubernetes.DefaultSettingsConfigMap;
import io.longhorn.manager.store.kubernetes.KubernetesResourceStore;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import io.longhorn.manager.testing.kube.KubeControlPlaneExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code deploy/longhorn.yaml} is the current rendering of {@code k8s/}, installs into a real API
 * server (the manager DaemonSet, the Services), and its RBAC lets the manager's service account do
 * everything its store, pod launcher and Secret reads do (and not more); the default settings ConfigMap reaches the manager's setting defaults.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManifestsIT {
    private static final String SERVICE_ACCOUNT = "system:serviceaccount:" + Longhorn.NAMESPACE + ":longhorn-service-account";

    @RegisterExtension
    static final KubeControlPlaneExtension KUBE = new KubeControlPlaneExtension(false);

    private static final Path ROOT = KubeControlPlane.repositoryRoot();

    @Test
    @Order(1)
    void theRenderedManifestIsCurrent() throws Exception {
        String rendered = Files.readString(ROOT.resolve("deploy/longhorn.yaml"));
        String expected = "# Generated from k8s/ by bin/render-manifests (kubectl kustomize k8s): edit k8s/, not this file.\n"
                + KUBE.get().kubectl("kustomize", ROOT.resolve("k8s").toString());
        assertTrue(expected.equals(rendered), "deploy/longhorn.yaml is stale: run bin/render-manifests (after building the"
                + " manager when the model changed) and commit it");
        for (Path crd : KubeControlPlane.longhornCrds()) {
            assertTrue(rendered.contains("  name: " + crd.getFileName().toString().replace("-v1.yml", "") + "\n"),
                    crd + " is in the manifest");
        }
    }

    @Test
    @Order(2)
    void theManifestInstallsAndTheServiceAccountRunsTheStore() throws Exception {
        KubeControlPlane cp = KUBE.get();
        cp.kubectl("apply", "--server-side", "-f", ROOT.resolve("deploy/longhorn.yaml").toString());
        for (CustomResourceDefinition crd : cp.client().apiextensions().v1().customResourceDefinitions().list().getItems()) {
            cp.client().apiextensions().v1().customResourceDefinitions().resource(crd).waitUntilCondition(d -> d.getStatus()
                    .getConditions() != null && d.getStatus().getConditions().stream()
                    .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())), 30, TimeUnit.SECONDS);
        }
        assertEquals(11, cp.client().apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                .filter(d -> d.getSpec().getGroup().equals(Longhorn.GROUP)).count());
        var manager = cp.client().apps().daemonSets().inNamespace(Longhorn.NAMESPACE).withName("longhorn-manager").get();
        var container = manager.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertTrue(container.getSecurityContext().getPrivileged());
        assertEquals("Bidirectional", container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/var/lib/longhorn/")).findFirst().orElseThrow().getMountPropagation());
        assertTrue(container.getEnv().stream().anyMatch(e -> e.getName().equals("NODE_NAME")
                && e.getValueFrom().getFieldRef().getFieldPath().equals("spec.nodeName")));
        assertEquals(9500, cp.client().services().inNamespace(Longhorn.NAMESPACE).withName("longhorn-backend").get()
                .getSpec().getPorts().getFirst().getPort());
        assertTrue(cp.client().services().inNamespace(Longhorn.NAMESPACE).withName("longhorn-frontend").get() != null);

        try (KubernetesClient sa = serviceAccountClient(cp)) {
            KubernetesResourceStore store = new KubernetesResourceStore(sa, Longhorn.NAMESPACE);
            BlockingQueue<ResourceEvent<Volume>> events = new LinkedBlockingQueue<>();
            try (ResourceStore.Subscription s = store.watch(Volume.class, events::add)) {
                Volume v = Resources.create(Volume.class, "rbac");
                v.getSpec().size = 1L << 20;
                v = store.create(v);
                v.getStatus().state = "detached";
                assertEquals("detached", store.updateStatus(v).getStatus().state);
                assertEquals(ResourceEvent.Type.ADDED, events.poll(30, TimeUnit.SECONDS).type());
                assertTrue(store.delete(Volume.class, "rbac"));
            }
            assertEquals(Map.of(SettingNames.DEFAULT_DATA_PATH, "/var/lib/longhorn/",
                    SettingNames.REPLICA_SOFT_ANTI_AFFINITY, "false"), store.defaultSettings());

            // What the pod launcher, the node watch and the credential Secrets need.
            assertTrue(sa.pods().inNamespace(Longhorn.NAMESPACE).list().getItems().isEmpty());
            assertTrue(cp.kubectl("auth", "can-i", "--as=" + SERVICE_ACCOUNT, "-n", Longhorn.NAMESPACE,
                    "create", "pods").startsWith("yes"));
            // Checking the tokens the API is called with.
            assertTrue(cp.kubectl("auth", "can-i", "--as=" + SERVICE_ACCOUNT, "create",
                    "tokenreviews.authentication.k8s.io").strip().endsWith("yes"));
            assertTrue(cp.kubectl("auth", "can-i", "--as=" + SERVICE_ACCOUNT, "create",
                    "subjectaccessreviews.authorization.k8s.io").strip().endsWith("yes"));
            var viewer = cp.client().rbac().clusterRoles().withName("longhorn-viewer").get();
            assertEquals("true", viewer.getMetadata().getLabels().get("rbac.authorization.k8s.io/aggregate-to-view"));
            assertEquals(List.of("get", "list", "watch"), viewer.getRules().getFirst().getVerbs());
            var editor = cp.client().rbac().clusterRoles().withName("longhorn-editor").get();
            assertEquals("true", editor.getMetadata().getLabels().get("rbac.authorization.k8s.io/aggregate-to-edit"));
            assertTrue(editor.getRules().getFirst().getVerbs().containsAll(List.of("create", "update", "delete")));
            assertTrue(cp.kubectl("auth", "can-i", "--as=" + SERVICE_ACCOUNT, "update", "replicas.longhorn.io",
                    "--subresource=finalizers", "-n", Longhorn.NAMESPACE).startsWith("yes"));
            sa.nodes().list();
            assertEquals(null, sa.secrets().inNamespace(Longhorn.NAMESPACE).withName("minio-secret").get());

            // Least privilege: nothing beyond that.
            assertEquals(403, assertThrows(KubernetesClientException.class,
                    () -> sa.pods().inNamespace("default").list()).getCode());
            assertEquals(403, assertThrows(KubernetesClientException.class,
                    () -> sa.secrets().inNamespace(Longhorn.NAMESPACE).list()).getCode());
            assertEquals(403, assertThrows(KubernetesClientException.class,
                    () -> sa.nodes().withName("any").delete()).getCode());
            IllegalStateException update = assertThrows(IllegalStateException.class, () -> cp.kubectl("auth", "can-i",
                    "--as=" + SERVICE_ACCOUNT, "-n", Longhorn.NAMESPACE, "update", "pods"));
            assertTrue(update.getMessage().contains("no"), update.getMessage());
            assertEquals(403, assertThrows(KubernetesClientException.class, () -> sa.configMaps().inNamespace(Longhorn.NAMESPACE)
                    .withName(DefaultSettingsConfigMap.NAME).delete()).getCode());
            assertTrue(cp.kubectl("auth", "can-i", "--as=" + SERVICE_ACCOUNT, "-n", Longhorn.NAMESPACE,
                    "update", "volumes.longhorn.io", "--subresource=status").startsWith("yes"));
        } catch (KubernetesClientException e) {
            throw new AssertionError(e.getCode() + " " + e.getMessage(), e);
        }
    }

    @Test
    @Order(3)
    void theConfigMapSetsTheManagersSettingDefaults() throws Exception {
        KubeControlPlane cp = KUBE.get();
        KubernetesResourceStore store = new KubernetesResourceStore(cp.client(), Longhorn.NAMESPACE);
        Map<String, String> standalone = Map.of(SettingNames.REPLICA_SOFT_ANTI_AFFINITY, "true",
                SettingNames.BACKUP_TARGET, "file:///data/backupstore");
        Map<String, String> merged = ResourceStores.settingDefaults(store, standalone);
        assertEquals("false", merged.get(SettingNames.REPLICA_SOFT_ANTI_AFFINITY), "the ConfigMap wins");
        assertEquals("file:///data/backupstore", merged.get(SettingNames.BACKUP_TARGET), "the runtime's own stay");
        assertEquals("/var/lib/longhorn/", merged.get(SettingNames.DEFAULT_DATA_PATH));

        // Upstream's ConfigMap names settings this manager does not have: ignored.
        cp.client().configMaps().inNamespace(Longhorn.NAMESPACE).withName(DefaultSettingsConfigMap.NAME).edit(cm -> {
            cm.getData().put(DefaultSettingsConfigMap.KEY, "priority-class: longhorn-critical\ndefault-replica-count: 2\n");
            return cm;
        });
        merged = ResourceStores.settingDefaults(store, standalone);
        assertEquals("2", merged.get(SettingNames.DEFAULT_REPLICA_COUNT));
        assertTrue(!merged.containsKey("priority-class"));

        cp.client().configMaps().inNamespace(Longhorn.NAMESPACE).withName(DefaultSettingsConfigMap.NAME).edit(cm -> {
            cm.getData().put(DefaultSettingsConfigMap.KEY, "- not a map\n");
            return cm;
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.defaultSettings());
        assertTrue(e.getMessage().contains(DefaultSettingsConfigMap.NAME), e.getMessage());

        cp.client().configMaps().inNamespace(Longhorn.NAMESPACE).withName(DefaultSettingsConfigMap.NAME).delete();
        cp.client().configMaps().inNamespace(Longhorn.NAMESPACE).withName(DefaultSettingsConfigMap.NAME)
                .waitUntilCondition(cm -> cm == null, 30, TimeUnit.SECONDS);
        assertEquals(standalone, ResourceStores.settingDefaults(store, standalone), "no ConfigMap: the runtime's defaults");
    }

    private static KubernetesClient serviceAccountClient(KubeControlPlane cp) throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(cp.kubeconfig()));
        config.setImpersonateUsername(SERVICE_ACCOUNT);
        config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + Longhorn.NAMESPACE,
                "system:authenticated");
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
