package io.longhorn.manager.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.longhorn.manager.client.ReplicaClients;
import io.longhorn.manager.controller.backup.BackupController;
import io.longhorn.manager.controller.backup.BackupTargetController;
import io.longhorn.manager.controller.engine.EngineController;
import io.longhorn.manager.controller.node.NodeController;
import io.longhorn.manager.controller.replica.ReplicaController;
import io.longhorn.manager.controller.runtime.ControllerRuntime;
import io.longhorn.manager.controller.setting.SettingController;
import io.longhorn.manager.controller.snapshot.SnapshotController;
import io.longhorn.manager.controller.volume.DataSource;
import io.longhorn.manager.controller.volume.VolumeController;
import io.longhorn.manager.jobs.CronScheduler;
import io.longhorn.manager.jobs.RecurringJobController;
import io.longhorn.manager.jobs.RecurringJobRunner;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupTarget;
import io.longhorn.manager.model.BackupVolume;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Setting;
import io.longhorn.manager.model.Snapshot;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.ResourceEvent;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Builds every controller and connects them to the store's change events and the launcher's state
 * changes: which event wakes which reconciler for which key. The same wiring serves both runtimes.
 */
public final class Controllers implements AutoCloseable {
    private final ControllerRuntime runtime;
    private final VolumeController volumes;
    private final List<ResourceStore.Subscription> subscriptions = new ArrayList<>();

    /** @param replicas clients of replicas by control address (copies from detached volumes) */
    public Controllers(ControllerContext ctx, ControllerRuntime runtime, CronScheduler cron, RecurringJobRunner runner,
                       ReplicaClients replicas) {
        this.runtime = runtime;
        this.volumes = new VolumeController(ctx, replicas);
        runtime.register(volumes, 2);
        runtime.register(new EngineController(ctx), 2);
        runtime.register(new ReplicaController(ctx), 2);
        runtime.register(new NodeController(ctx), 1);
        runtime.register(new SettingController(ctx), 1);
        runtime.register(new BackupTargetController(ctx), 1);
        runtime.register(new BackupController(ctx), 1);
        runtime.register(new SnapshotController(ctx), 1);
        runtime.register(new RecurringJobController(ctx, cron, runner), 1);
        wire(ctx.store());
        ctx.launcher().addListener(name -> {
            runtime.enqueue(EngineController.NAME, name);
            runtime.enqueue(ReplicaController.NAME, name);
        });
    }

    public VolumeController volumeController() {
        return volumes;
    }

    public ControllerRuntime runtime() {
        return runtime;
    }

    public void start() {
        runtime.start();
    }

    private void wire(ResourceStore store) {
        Function<HasMetadata, String> volumeLabel = r -> Resources.labels(r).get(Longhorn.LABEL_VOLUME);
        on(store, Volume.class, VolumeController.NAME, Resources::name);
        on(store, Volume.class, SnapshotController.NAME, Resources::name);
        // A volume being filled from another wakes the source, which keeps its replicas running for it.
        subscriptions.add(store.watch(Volume.class, e -> {
            String source = e.resource() == null ? "" : DataSource.sourceVolume(e.resource().getSpec().dataSource);
            if (!source.isEmpty()) {
                runtime.enqueue(VolumeController.NAME, source);
            }
        }));
        on(store, Engine.class, VolumeController.NAME, volumeLabel);
        on(store, Engine.class, EngineController.NAME, Resources::name);
        on(store, Engine.class, SnapshotController.NAME, volumeLabel);
        on(store, Replica.class, VolumeController.NAME, volumeLabel);
        on(store, Replica.class, ReplicaController.NAME, Resources::name);
        on(store, Replica.class, NodeController.NAME, r -> ((Replica) r).getSpec().nodeID);
        on(store, Snapshot.class, SnapshotController.NAME, volumeLabel);
        on(store, Node.class, NodeController.NAME, Resources::name);
        onAll(store, Node.class, VolumeController.NAME);
        on(store, Setting.class, SettingController.NAME, Resources::name);
        subscriptions.add(store.watch(Setting.class, e -> {
            String name = e.name();
            if (name.startsWith("backup")) {
                runtime.enqueueAll(BackupTargetController.NAME);
            } else if (!name.equals(SettingNames.BACKUP_TARGET)) {
                runtime.enqueueAll(VolumeController.NAME);
                runtime.enqueueAll(NodeController.NAME);
            }
        }));
        on(store, BackupTarget.class, BackupTargetController.NAME, Resources::name);
        on(store, Backup.class, BackupController.NAME, Resources::name);
        on(store, Backup.class, VolumeController.NAME, r -> Resources.labels(r).get(Longhorn.LABEL_BACKUP_VOLUME));
        subscriptions.add(store.watch(BackupVolume.class, e -> {
            // DR volumes follow their backup volume.
            for (Volume v : store.list(Volume.class)) {
                if (v.getSpec().standby || v.getStatus().restoreRequired) {
                    runtime.enqueue(VolumeController.NAME, Resources.name(v));
                }
            }
        }));
        on(store, RecurringJob.class, RecurringJobController.NAME, Resources::name);
    }

    private <T extends HasMetadata> void on(ResourceStore store, Class<T> kind, String controller,
                                            Function<HasMetadata, String> key) {
        subscriptions.add(store.watch(kind, (ResourceEvent<T> e) -> runtime.enqueue(controller, key.apply(e.resource()))));
    }

    private <T extends HasMetadata> void onAll(ResourceStore store, Class<T> kind, String controller) {
        subscriptions.add(store.watch(kind, e -> runtime.enqueueAll(controller)));
    }

    @Override
    public void close() {
        subscriptions.forEach(ResourceStore.Subscription::close);
        runtime.close();
    }
}
