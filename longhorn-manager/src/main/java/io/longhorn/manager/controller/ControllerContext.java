package io.longhorn.manager.controller;

import io.longhorn.manager.client.BackupClients;
import io.longhorn.manager.client.EngineClients;
import io.longhorn.manager.events.EventRecorder;
import io.longhorn.manager.launcher.InstanceLauncher;
import io.longhorn.manager.metrics.VolumeIoRates;
import io.longhorn.manager.settings.Settings;
import io.longhorn.manager.store.ResourceStore;
import java.time.Clock;
import java.time.Duration;

/**
 * What controllers depend on: the two ports (store, launcher), the service clients, settings,
 * events, and which node this manager is.
 *
 * @param nodeID          the node this manager runs on (standalone: the host)
 * @param monitorInterval how often a running engine is polled for replica modes and snapshots
 * @param ioRates         the volumes' I/O rates, from the counters the engine polls read (for /metrics)
 */
public record ControllerContext(ResourceStore store, InstanceLauncher launcher, EngineClients engines,
                                BackupClients backups, CredentialSource credentials, Settings settings,
                                EventRecorder events, String nodeID, Clock clock, Duration monitorInterval,
                                VolumeIoRates ioRates) {

    /** A context whose I/O rates start empty. */
    public ControllerContext(ResourceStore store, InstanceLauncher launcher, EngineClients engines,
                             BackupClients backups, CredentialSource credentials, Settings settings,
                             EventRecorder events, String nodeID, Clock clock, Duration monitorInterval) {
        this(store, launcher, engines, backups, credentials, settings, events, nodeID, clock, monitorInterval,
                new VolumeIoRates());
    }

    public String now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
}
