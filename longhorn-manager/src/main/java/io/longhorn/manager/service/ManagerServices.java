package io.longhorn.manager.service;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.events.EventRecorder;

/** Everything the API layer needs, whichever runtime built it. */
public interface ManagerServices {
    ControllerContext context();

    VolumeService volumes();

    SnapshotService snapshots();

    BackupService backups();

    SettingService settings();

    NodeService nodes();

    RecurringJobService recurringJobs();

    EventRecorder events();
}
