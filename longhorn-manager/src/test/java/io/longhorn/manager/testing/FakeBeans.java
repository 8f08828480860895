package io.longhorn.manager.testing;

import io.longhorn.manager.client.BackupClients;
import io.longhorn.manager.client.EngineClients;
import io.longhorn.manager.launcher.InstanceLauncher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** In application tests, the fakes replace the standalone launcher, engine clients and backup service. */
@ApplicationScoped
public class FakeBeans {
    public static final FakeCluster CLUSTER = new FakeCluster();

    @Produces
    @Singleton
    InstanceLauncher launcher() {
        return CLUSTER.launcher;
    }

    @Produces
    @Singleton
    EngineClients engines() {
        return CLUSTER.engines;
    }

    @Produces
    @Singleton
    BackupClients backups() {
        return CLUSTER.backups;
    }
}
