package io.longhorn.manager.testing;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Controllers;
import io.longhorn.manager.controller.runtime.ControllerRuntime;
import io.longhorn.manager.events.MemoryEventRecorder;
import io.longhorn.manager.jobs.RecurringJobRunner;
import io.longhorn.manager.launcher.InstanceLauncher;
import io.longhorn.manager.model.DiskSpec;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.service.BackupService;
import io.longhorn.manager.service.NodeService;
import io.longhorn.manager.service.RecurringJobService;
import io.longhorn.manager.service.SettingService;
import io.longhorn.manager.service.SnapshotService;
import io.longhorn.manager.service.VolumeService;
import io.longhorn.manager.settings.SettingDefinitions;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.settings.Settings;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.local.LocalResourceStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The runtime-agnostic core (controllers and services) over an in-memory store and the fakes, with
 * one node whose disks are directories under a temporary directory.
 */
public final class ManagerHarness implements AutoCloseable {
    /** The harness has no replica processes: a copy from a detached volume's replicas cannot reach them. */
    public static final io.longhorn.manager.client.ReplicaClients NO_REPLICA_CLIENTS = address -> {
        throw new UnsupportedOperationException("no replica clients to reach replica " + address);
    };

    public static final String NODE = "node-1";

    public final FakeCluster cluster = new FakeCluster();
    public final ManualCron cron = new ManualCron();
    public final ResourceStore store;
    public final ControllerContext ctx;
    public final Controllers controllers;
    public final VolumeService volumes;
    public final SnapshotService snapshots;
    public final BackupService backups;
    public final SettingService settings;
    public final NodeService nodes;
    public final RecurringJobService jobs;

    public ManagerHarness(Path diskRoot, String... diskNames) {
        this(new LocalResourceStore(), diskRoot, diskNames);
    }

    public ManagerHarness(ResourceStore store, Path diskRoot, String... diskNames) {
        this(store, c -> c.launcher, diskRoot, diskNames);
    }

    /** With another launcher than the fake one (the fake engines still answer the engine clients). */
    public ManagerHarness(ResourceStore store, java.util.function.Function<FakeCluster, InstanceLauncher> launcher,
                          Path diskRoot, String... diskNames) {
        this.store = store;
        SettingDefinitions defs = SettingDefinitions.withDefaults(Map.of(
                SettingNames.REPLICA_SOFT_ANTI_AFFINITY, "true",
                SettingNames.BACKUP_TARGET, "file:///fake"));
        Settings values = new Settings(store, defs);
        ctx = new ControllerContext(store, launcher.apply(cluster), cluster.engines, cluster.backups, name -> Map.of(), values,
                new MemoryEventRecorder(1000), NODE, Clock.systemUTC(), Duration.ofMillis(100));
        if (store.get(Node.class, NODE).isEmpty()) {
            Node node = Resources.create(Node.class, NODE);
            for (String d : diskNames.length == 0 ? new String[] {"disk-a"} : diskNames) {
                DiskSpec disk = new DiskSpec();
                disk.path = diskRoot.resolve(d).toString();
                node.getSpec().disks.put(d, disk);
            }
            store.create(node);
        }
        volumes = new VolumeService(ctx, null);
        snapshots = new SnapshotService(ctx, volumes);
        backups = new BackupService(ctx, volumes, snapshots);
        settings = new SettingService(ctx);
        nodes = new NodeService(ctx);
        jobs = new RecurringJobService(ctx, cron);
        controllers = new Controllers(ctx, new ControllerRuntime(Duration.ofSeconds(2)), cron,
                new RecurringJobRunner(ctx, snapshots, backups), NO_REPLICA_CLIENTS);
        volumes.attachController(controllers.volumeController());
        controllers.start();
        // The setting controller creates the default backup target from the backup-target setting.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> store.get(io.longhorn.manager.model.BackupTarget.class, "default").isPresent());
    }

    public ControllerRuntime runtime() {
        return controllers.runtime();
    }

    @Override
    public void close() {
        controllers.close();
    }
}
