package io.longhorn.manager.uninstall;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Setting;
import io.longhorn.manager.settings.SettingNames;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code longhorn-manager uninstall}: what the uninstall job runs (deploy/longhorn-uninstall.yaml),
 * upstream's way of removing Longhorn from a cluster so that nothing is left behind.
 *
 * <ol>
 *   <li>Refuses unless the setting {@code deleting-confirmation-flag} is {@code true}: this deletes
 *   every volume and its data.</li>
 *   <li>Deletes every Volume and waits while the managers, still running, detach them and delete
 *   their engine and replica Pods and the replicas' data (the {@code longhorn.io} finalizer). A
 *   volume that is not gone in time fails the job: its finalizer is never stripped, since that
 *   would leave its data on the nodes.</li>
 *   <li>Stops the managers and the backup service (their DaemonSet and Deployment), so that they
 *   recreate nothing, and waits for their Pods to end.</li>
 *   <li>Deletes every other Longhorn resource. Their finalizers are lifted first: with no manager
 *   left nothing would lift them, and the backups they mirror stay in the backup store.</li>
 * </ol>
 * Afterwards {@code kubectl delete -f deploy/longhorn.yaml} removes the namespace, CRDs and RBAC.
 */
public final class Uninstaller {
    /** Every kind, volumes first; the rest only mirror state or configure the managers. */
    static final List<String> PLURALS = List.of("volumes", "engines", "replicas", "snapshots", "backups", "backupvolumes",
            "backuptargets", "recurringjobs", "engineimages", "nodes", "settings");
    static final List<String> DAEMON_SETS = List.of("longhorn-manager");
    static final List<String> DEPLOYMENTS = List.of("longhorn-backup");

    private final KubernetesClient client;
    private final String namespace;
    private final PrintStream out;
    private final Duration timeout;

    public Uninstaller(KubernetesClient client, String namespace, PrintStream out, Duration timeout) {
        this.client = client;
        this.namespace = namespace;
        this.out = out;
        this.timeout = timeout;
    }

    /** Runs the uninstall in the cluster this process is in (or KUBECONFIG's); the exit code. */
    public static int main(List<String> args) {
        Duration timeout = Duration.ofMinutes(10);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--timeout") && i + 1 < args.size()) {
                try {
                    timeout = Duration.ofSeconds(Long.parseLong(args.get(++i)));
                } catch (NumberFormatException e) {
                    System.err.println("longhorn-manager uninstall: --timeout " + args.get(i) + ": expected seconds");
                    return 2;
                }
            } else {
                System.err.println("longhorn-manager uninstall: unknown argument \"" + a + "\"\n"
                        + "Usage: longhorn-manager uninstall [--timeout SECONDS]");
                return 2;
            }
        }
        String namespace = System.getenv().getOrDefault("POD_NAMESPACE", Longhorn.NAMESPACE);
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            return new Uninstaller(client, namespace, System.out, timeout).run();
        } catch (KubernetesClientException e) {
            System.err.println("longhorn-manager uninstall: " + e.getMessage());
            return 1;
        }
    }

    public int run() {
        Setting flag = client.resources(Setting.class).inNamespace(namespace).withName(SettingNames.DELETING_CONFIRMATION_FLAG).get();
        if (!confirmed(flag == null ? null : flag.getValue())) {
            System.err.println("refusing to uninstall: this deletes every Longhorn volume and its data. To confirm, set the"
                    + " setting " + SettingNames.DELETING_CONFIRMATION_FLAG + " to true (UI: Settings; or kubectl -n " + namespace
                    + " patch settings.longhorn.io " + SettingNames.DELETING_CONFIRMATION_FLAG
                    + " --type=merge -p '{\"value\":\"true\"}'), then run the job again.");
            return 1;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<GenericKubernetesResource> volumes = resources("volumes").list().getItems();
        out.printf("deleting %d volume(s) and their data%n", volumes.size());
        resources("volumes").delete();
        while (!resources("volumes").list().getItems().isEmpty()) {
            if (System.nanoTime() > deadline) {
                System.err.println("volumes not deleted within " + timeout.toSeconds() + " s: "
                        + names(resources("volumes").list().getItems())
                        + ". The managers delete a volume's data before its resource goes; is every manager Pod running?");
                return 1;
            }
            sleep();
        }
        out.println("stopping the managers and the backup service");
        for (String ds : DAEMON_SETS) {
            client.apps().daemonSets().inNamespace(namespace).withName(ds).delete();
        }
        for (String d : DEPLOYMENTS) {
            client.apps().deployments().inNamespace(namespace).withName(d).delete();
        }
        while (!client.pods().inNamespace(namespace).withLabel("app", "longhorn-manager").list().getItems().isEmpty()
                || !client.pods().inNamespace(namespace).withLabel("app", "longhorn-backup").list().getItems().isEmpty()) {
            if (System.nanoTime() > deadline) {
                System.err.println("the manager and backup Pods did not stop within " + timeout.toSeconds() + " s");
                return 1;
            }
            sleep();
        }
        for (String plural : PLURALS) {
            List<GenericKubernetesResource> left = resources(plural).list().getItems();
            for (GenericKubernetesResource r : left) {
                if (r.getMetadata().getFinalizers() != null && !r.getMetadata().getFinalizers().isEmpty()) {
                    resources(plural).withName(r.getMetadata().getName()).edit(x -> {
                        x.getMetadata().setFinalizers(new ArrayList<>());
                        return x;
                    });
                }
                resources(plural).withName(r.getMetadata().getName()).delete();
            }
            if (!left.isEmpty()) {
                out.printf("deleted %d %s%n", left.size(), plural);
            }
        }
        out.println("Longhorn's resources are gone; now delete the manifests: kubectl delete -f deploy/longhorn.yaml");
        return 0;
    }

    static boolean confirmed(String value) {
        return value != null && value.strip().equalsIgnoreCase("true");
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> resources(String plural) {
        ResourceDefinitionContext ctx = new ResourceDefinitionContext.Builder().withGroup(Longhorn.GROUP)
                .withVersion(Longhorn.VERSION).withPlural(plural).withNamespaced(true).build();
        return client.genericKubernetesResources(ctx).inNamespace(namespace);
    }

    private static List<String> names(List<GenericKubernetesResource> rs) {
        return rs.stream().map(r -> r.getMetadata().getName()).toList();
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
