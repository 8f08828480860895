package io.longhorn.manager.standalone;

import io.longhorn.manager.client.BackupClients;
import io.longhorn.manager.client.EngineClients;
import io.longhorn.manager.client.GrpcChannels;
import io.longhorn.manager.client.ReplicaClients;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.longhorn.manager.launcher.InstanceLauncher;
import io.longhorn.manager.launcher.pod.PodInstanceLauncher;
import io.longhorn.manager.launcher.pod.PodLauncherOptions;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.launcher.process.ProcessInstanceLauncher;
import io.longhorn.manager.launcher.process.ProcessLauncherOptions;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The standalone implementations of the ports. Each is a default bean: tests (or another runtime)
 * replace one by declaring a bean of the same type.
 */
@ApplicationScoped
public class StandaloneProducers {

    @Produces
    @Singleton
    @Typed(GrpcChannels.class)
    GrpcChannels channels(InstanceLauncher launcher) {
        // Calls to an engine or replica prove its volume's secret, which its launcher gave it.
        return new GrpcChannels(launcher::secretForAddress);
    }

    void closeChannels(@Disposes GrpcChannels channels) {
        channels.close();
    }

    @Produces
    @Singleton
    @DefaultBean
    InstanceLauncher launcher(StandaloneConfig config, DataDir dataDir) {
        String kind = config.launcher().filter(l -> !l.isBlank())
                .orElse(ResourceStores.KUBERNETES.equals(config.store()) ? "pod" : "process");
        if ("pod".equals(kind)) {
            return new PodInstanceLauncher(new KubernetesClientBuilder().build(), PodLauncherOptions.from(
                    k -> ConfigProvider.getConfig().getOptionalValue(k, String.class), Longhorn.NAMESPACE,
                    ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class)
                            .orElse("latest"), StandaloneRuntime.nodeName(config)));
        }
        if (!"process".equals(kind)) {
            throw new IllegalArgumentException("longhorn.launcher: unknown launcher \"" + kind + "\": use process or pod");
        }
        return new ProcessInstanceLauncher(new ProcessLauncherOptions(dataDir.binDir(), config.instanceHost(),
                dataDir.path().resolve("instances"), dataDir.path().resolve("logs"), config.instanceStartTimeout(),
                Map.of()));
    }

    @Produces
    @Singleton
    @DefaultBean
    EngineClients engineClients(GrpcChannels channels) {
        return channels;
    }

    @Produces
    @Singleton
    @DefaultBean
    ReplicaClients replicaClients(GrpcChannels channels) {
        return channels;
    }

    @Produces
    @Singleton
    @DefaultBean
    BackupClients backupClients(StandaloneConfig config, DataDir dataDir, GrpcChannels channels, InstanceLauncher launcher) {
        // In a cluster the backup Deployment mounts the Secret the Pod launcher keeps.
        return new LocalBackupService(channels, config.backupServiceAddress(), dataDir.binDir(), config.instanceHost(),
                dataDir.path().resolve("services"), dataDir.path().resolve("logs"), config.instanceStartTimeout(),
                launcher instanceof PodInstanceLauncher pods ? pods::backupServiceSecret : null);
    }
}
