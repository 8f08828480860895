package io.longhorn.manager.standalone;

import io.longhorn.manager.client.BackupClients;
import io.longhorn.manager.client.EngineClients;
import io.longhorn.manager.client.ReplicaClients;
import io.longhorn.manager.cluster.ClusterNodes;
import io.longhorn.manager.cluster.OwnershipGate;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Controllers;
import io.longhorn.manager.controller.CredentialSource;
import io.longhorn.manager.controller.runtime.ControllerRuntime;
import io.longhorn.manager.events.EventRecorder;
import io.longhorn.manager.events.MemoryEventRecorder;
import io.longhorn.manager.integrity.IntegritySchedule;
import io.longhorn.manager.integrity.SnapshotIntegrityCheck;
import io.longhorn.manager.jobs.QuarkusCronScheduler;
import io.longhorn.manager.metrics.ReplicaRefusals;
import io.longhorn.manager.jobs.RecurringJobRunner;
import io.longhorn.manager.launcher.InstanceLauncher;
import io.longhorn.manager.launcher.pod.PodInstanceLauncher;
import io.longhorn.manager.launcher.process.ProcessInstanceLauncher;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.service.BackupService;
import io.longhorn.manager.service.ManagerServices;
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
import io.longhorn.manager.store.local.JsonFileJournal;
import io.longhorn.manager.store.local.LocalResourceStore;
import io.longhorn.manager.store.kubernetes.KubernetesResourceStore;
import io.longhorn.manager.store.kubernetes.SecretCredentialSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Builds the standalone manager at start-up: store, settings with standalone defaults, this node,
 * controllers and services; starts the controllers; and stops them at shutdown (leaving the
 * instances running unless configured otherwise).
 */
@Singleton
public class StandaloneRuntime implements ManagerServices {
    private static final Logger LOG = Logger.getLogger(StandaloneRuntime.class);

    private final ControllerContext ctx;
    private final Controllers controllers;
    private final IntegritySchedule integrity;
    private final VolumeService volumes;
    private final SnapshotService snapshots;
    private final BackupService backups;
    private final SettingService settings;
    private final NodeService nodes;
    private final RecurringJobService recurringJobs;
    private final StandaloneConfig config;
    private final InstanceLauncher launcher;
    private final BackupClients backupClients;
    private final Scheduler scheduler;
    private final ReplicaRefusals replicaRefusals;
    private static final String REFUSALS_JOB = "replica-auth-refusals";

    public StandaloneRuntime(StandaloneConfig config, DataDir dataDir, InstanceLauncher launcher, EngineClients engines,
                             ReplicaClients replicaClients, BackupClients backupClients, Scheduler scheduler) {
        this.config = config;
        this.launcher = launcher;
        this.backupClients = backupClients;
        Path data = dataDir.path();
        ResourceStore store = ResourceStores.open(config.store(), data);
        boolean inCluster = store instanceof KubernetesResourceStore;
        // On one host every replica shares the node and backups go to a directory beside the data;
        // in a cluster the defaults are upstream's (hard anti-affinity, no backup target until one
        // is set), and longhorn-default-setting may change them.
        SettingDefinitions definitions = SettingDefinitions.withDefaults(ResourceStores.settingDefaults(store, inCluster
                ? Map.of(SettingNames.DEFAULT_DATA_PATH, data.toString())
                : Map.of(SettingNames.REPLICA_SOFT_ANTI_AFFINITY, "true",
                        SettingNames.DEFAULT_DATA_PATH, data.toString(),
                        SettingNames.BACKUP_TARGET, "file://" + data.resolve("backupstore"))));
        Settings values = new Settings(store, definitions);
        String node = nodeName(config);
        EventRecorder events = new MemoryEventRecorder(1000);
        CredentialSource credentials = store instanceof KubernetesResourceStore k
                ? new SecretCredentialSource(k.client(), k.namespace())
                : new FileCredentialSource(data.resolve("secrets"));
        this.ctx = new ControllerContext(store, launcher, engines, backupClients, credentials,
                values, events, node, Clock.systemUTC(), config.monitorInterval());
        try {
            if (!inCluster) {
                java.nio.file.Files.createDirectories(data.resolve("backupstore"));
            }
            StandaloneNode.ensure(store, values, node, config.zone().orElse("").trim(), data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare data directory " + data + ": " + e.getMessage(), e);
        }
        QuarkusCronScheduler cron = new QuarkusCronScheduler(scheduler);
        this.volumes = new VolumeService(ctx, null);
        this.snapshots = new SnapshotService(ctx, volumes);
        this.backups = new BackupService(ctx, volumes, snapshots);
        this.settings = new SettingService(ctx);
        this.nodes = new NodeService(ctx);
        this.recurringJobs = new RecurringJobService(ctx, cron);
        this.controllers = new Controllers(ctx, new ControllerRuntime(config.resync()), cron,
                new RecurringJobRunner(ctx, snapshots, backups), replicaClients);
        this.volumes.attachController(controllers.volumeController());
        this.integrity = new IntegritySchedule(ctx, cron, new SnapshotIntegrityCheck(ctx, replicaClients)::runAll);
        this.scheduler = scheduler;
        this.replicaRefusals = new ReplicaRefusals(store, replicaClients, ctx.ioRates(), node);
        if (store instanceof KubernetesResourceStore k) {
            // In a cluster, each resource is handled by its owner's manager.
            ClusterNodes cluster = launcher instanceof PodInstanceLauncher p ? p.clusterNodes()
                    : new ClusterNodes(k.client(), k.namespace());
            new OwnershipGate(store, cluster, node).install(controllers.runtime());
        }
        LOG.infof("%s: node %s, data directory %s, launchers in %s", inCluster ? "manager in the cluster" : "standalone manager",
                node, data, dataDir.binDir());
    }

    void onStart(@Observes StartupEvent event) {
        controllers.start();
        integrity.start();
        scheduler.newJob(REFUSALS_JOB)
                .setInterval(ReplicaRefusals.INTERVAL_SECONDS + "s")
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> replicaRefusals.run())
                .schedule();
    }

    void onStop(@Observes ShutdownEvent event) {
        scheduler.unscheduleJob(REFUSALS_JOB);
        integrity.close();
        controllers.close();
        if (config.stopInstancesOnShutdown()) {
            if (launcher instanceof ProcessInstanceLauncher p) {
                p.stopAll();
            }
        }
        // The backup service stops with the manager unless it runs a backup or restore job: then it
        // keeps running, as engines and replicas do, and the next start adopts it and follows the job.
        if (backupClients instanceof LocalBackupService b) {
            List<String> jobs = runningJobs();
            if (jobs.isEmpty() || config.stopInstancesOnShutdown()) {
                b.stopProcess();
            } else {
                LOG.infof("the backup service keeps running for %s; the next start adopts it", String.join(", ", jobs));
            }
        }
        // Last: deciding about the backup service reads the store.
        if (ctx.store() instanceof KubernetesResourceStore k) {
            k.close();
        }
    }

    /** The backups and restores whose job runs in the backup service, as the resources record them. */
    private List<String> runningJobs() {
        List<String> jobs = new ArrayList<>();
        for (Backup b : ctx.store().list(Backup.class)) {
            if (!b.getStatus().jobID.isEmpty()) {
                jobs.add("backup " + Resources.name(b));
            }
        }
        for (Volume v : ctx.store().list(Volume.class)) {
            if (!v.getStatus().restoreJobID.isEmpty()) {
                jobs.add("the restore of volume " + Resources.name(v));
            }
        }
        return jobs;
    }

    /** The controller runtime, for tests that wait until it is idle. */
    public ControllerRuntime controllerRuntime() {
        return controllers.runtime();
    }

    /** {@code longhorn.node-name}, else {@code NODE_NAME} (the downward API in the DaemonSet), else the host name. */
    static String nodeName(StandaloneConfig config) {
        return config.nodeName().filter(n -> !n.isBlank())
                .or(() -> Optional.ofNullable(System.getenv("NODE_NAME")).filter(n -> !n.isBlank()))
                .orElseGet(StandaloneRuntime::hostName);
    }

    private static String hostName() {
        try {
            return Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank())
                    .orElse(InetAddress.getLocalHost().getHostName()).toLowerCase();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public ControllerContext context() {
        return ctx;
    }

    @Override
    public VolumeService volumes() {
        return volumes;
    }

    @Override
    public SnapshotService snapshots() {
        return snapshots;
    }

    @Override
    public BackupService backups() {
        return backups;
    }

    @Override
    public SettingService settings() {
        return settings;
    }

    @Override
    public NodeService nodes() {
        return nodes;
    }

    @Override
    public RecurringJobService recurringJobs() {
        return recurringJobs;
    }

    @Override
    public EventRecorder events() {
        return ctx.events();
    }
}
