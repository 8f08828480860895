package io.longhorn.manager.service;

import io.longhorn.api.backup.Target;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Ids;
import io.longhorn.manager.controller.backup.GoDuration;
import io.longhorn.manager.controller.backup.Targets;
import io.longhorn.manager.model.Backup;
import io.longhorn.manager.model.BackupState;
import io.longhorn.manager.model.BackupTarget;
import io.longhorn.manager.model.BackupVolume;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Setting;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.Retry;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Backup requests: back up a snapshot, list and delete backups and backup volumes, change the target. */
public final class BackupService {
    private static final List<String> SCHEMES = List.of("s3://", "nfs://", "file://", "cifs://", "azblob://");

    private final ControllerContext ctx;
    private final VolumeService volumes;
    private final SnapshotService snapshots;

    public BackupService(ControllerContext ctx, VolumeService volumes, SnapshotService snapshots) {
        this.ctx = ctx;
        this.volumes = volumes;
        this.snapshots = snapshots;
    }

    /**
     * Starts a backup of a snapshot of an attached volume; the backup controller runs it.
     *
     * @return the Backup resource (its status empty until the job started: the API shows it InProgress)
     */
    public Backup backupSnapshot(String volume, String snapshot, Map<String, String> labels) {
        Volume v = volumes.get(volume);
        if (snapshot == null || snapshot.isEmpty()) {
            throw new InvalidInputException("name", "name of the snapshot to back up is required");
        }
        // A backup is read through the engine: a detached volume's snapshots are listed, not backed up.
        snapshots.engine(volume);
        snapshots.get(volume, snapshot);
        if (Targets.of(ctx, v.getSpec().backupTargetName).isEmpty()) {
            throw new ConflictStateException("backup target " + v.getSpec().backupTargetName
                    + " has no URL: set the backup-target setting first");
        }
        Backup b = Resources.create(Backup.class, "backup-" + Ids.hex(8));
        Resources.labels(b).put(Longhorn.LABEL_BACKUP_VOLUME, volume);
        b.getSpec().snapshotName = snapshot;
        if (labels != null) {
            b.getSpec().labels.putAll(labels);
        }
        Backup created = ctx.store().create(b);
        // After the backup: a target sync that finds the backup volume not in the target yet keeps
        // it for its running backup, which must therefore exist first.
        ensureBackupVolume(volume, v.getSpec().backupTargetName);
        ctx.events().normal("Volume", volume, "BackupRequested", "backup " + Resources.name(created) + " of snapshot "
                + snapshot + " of volume " + volume + " requested");
        return created;
    }

    /**
     * The volume's BackupVolume, created with the first backup (as upstream's backup controller
     * does), so that the backup volume is listed while its first backup still runs; the target
     * controller fills it in from the target once a backup is there.
     */
    private void ensureBackupVolume(String volume, String targetName) {
        if (ctx.store().get(BackupVolume.class, volume).isPresent()) {
            return;
        }
        BackupVolume bv = Resources.create(BackupVolume.class, volume);
        bv.getSpec().volumeName = volume;
        bv.getSpec().backupTargetName = targetName.isEmpty() ? Targets.DEFAULT : targetName;
        Resources.labels(bv).put(Longhorn.LABEL_BACKUP_VOLUME, volume);
        try {
            ctx.store().create(bv);
        } catch (AlreadyExistsException e) {
            // created meanwhile by the target controller: the same resource
        }
    }

    public List<BackupVolume> backupVolumes() {
        return ctx.store().list(BackupVolume.class);
    }

    public BackupVolume backupVolume(String name) {
        return ctx.store().get(BackupVolume.class, name)
                .orElseThrow(() -> new NotFoundException("backup volume " + name + " not found"));
    }

    /** The backups of a volume, oldest first (also those still running or failed). */
    public List<Backup> backups(String volume) {
        return ctx.store().list(Backup.class, Map.of(Longhorn.LABEL_BACKUP_VOLUME, volume)).stream()
                .sorted(Comparator.comparing((Backup b) -> b.getStatus().backupCreatedAt)
                        .thenComparing(b -> String.valueOf(b.getMetadata().getCreationTimestamp())))
                .toList();
    }

    public Backup backup(String volume, String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("name", "name of the backup is required");
        }
        return ctx.store().get(Backup.class, name)
                .filter(b -> volume.equals(Resources.labels(b).get(Longhorn.LABEL_BACKUP_VOLUME)))
                .orElseThrow(() -> new NotFoundException("backup " + name + " of backup volume " + volume + " not found"));
    }

    public void deleteBackup(String volume, String name) {
        Backup b = backup(volume, name);
        String state = b.getStatus().state;
        if (BackupState.IN_PROGRESS.equals(state) || BackupState.PENDING.equals(state)
                || (state.isEmpty() && !b.getSpec().snapshotName.isEmpty())) {
            throw new ConflictStateException("backup " + name + " of volume " + volume + " is in progress");
        }
        if (!b.getStatus().url.isEmpty()) {
            Target target = target(volume);
            try {
                ctx.backups().client().deleteBackup(target, b.getStatus().url);
            } catch (ServiceCallException e) {
                if (!e.notFound()) {
                    throw new UnavailableException("cannot delete backup " + name + ": " + e.getMessage(), e);
                }
            }
        }
        ctx.store().delete(Backup.class, name);
        requestSync(targetName(volume));
        ctx.events().normal("BackupVolume", volume, "BackupDeleted", "backup " + name + " of volume " + volume + " deleted");
    }

    public void deleteBackupVolume(String name) {
        backupVolume(name);
        Target target = target(name);
        try {
            ctx.backups().client().deleteBackupVolume(target, name);
        } catch (ServiceCallException e) {
            if (!e.notFound()) {
                throw new UnavailableException("cannot delete backup volume " + name + ": " + e.getMessage(), e);
            }
        }
        for (Backup b : ctx.store().list(Backup.class, Map.of(Longhorn.LABEL_BACKUP_VOLUME, name))) {
            ctx.store().delete(Backup.class, Resources.name(b));
        }
        ctx.store().delete(BackupVolume.class, name);
        ctx.events().normal("BackupVolume", name, "Deleted", "backup volume " + name + " and its backups deleted");
    }

    public List<BackupTarget> targets() {
        return ctx.store().list(BackupTarget.class);
    }

    public BackupTarget target(String name, boolean required) {
        return ctx.store().get(BackupTarget.class, name)
                .orElseThrow(() -> new NotFoundException("backup target " + name + " not found"));
    }

    /**
     * Changes a backup target's URL, credential secret or poll interval (null: unchanged). For the
     * default target the backup-target settings change with it.
     */
    public BackupTarget updateTarget(String name, String url, String credentialSecret, String pollInterval) {
        target(name, true);
        if (url != null && !url.isEmpty() && SCHEMES.stream().noneMatch(url::startsWith)) {
            throw new InvalidInputException("backupTargetURL", "invalid backupTargetURL \"" + url
                    + "\": expected s3://bucket@region/path, nfs://server:/path or file:///path");
        }
        if (pollInterval != null && !pollInterval.isEmpty() && GoDuration.parse(pollInterval).isEmpty()) {
            throw new InvalidInputException("pollInterval", "invalid pollInterval \"" + pollInterval
                    + "\": expected a duration such as 5m0s or 300s");
        }
        if (Targets.DEFAULT.equals(name)) {
            if (url != null) {
                setSetting(SettingNames.BACKUP_TARGET, url);
            }
            if (credentialSecret != null) {
                setSetting(SettingNames.BACKUP_TARGET_CREDENTIAL_SECRET, credentialSecret);
            }
            if (pollInterval != null && !pollInterval.isEmpty()) {
                setSetting(SettingNames.BACKUPSTORE_POLL_INTERVAL,
                        Long.toString(GoDuration.parse(pollInterval).orElseThrow().toSeconds()));
            }
        }
        return Retry.update(ctx.store(), BackupTarget.class, name, bt -> {
            if (url != null) {
                bt.getSpec().backupTargetURL = url;
            }
            if (credentialSecret != null) {
                bt.getSpec().credentialSecret = credentialSecret;
            }
            if (pollInterval != null && !pollInterval.isEmpty()) {
                bt.getSpec().pollInterval = pollInterval;
            }
            bt.getSpec().syncRequestedAt = ctx.clock().instant().toString();
            return true;
        });
    }

    private void setSetting(String name, String value) {
        if (ctx.store().get(Setting.class, name).isEmpty()) {
            Setting s = Resources.create(Setting.class, name);
            s.setValue(value);
            ctx.store().create(s);
            return;
        }
        Retry.update(ctx.store(), Setting.class, name, s -> {
            boolean changed = !s.getValue().equals(value);
            s.setValue(value);
            return changed;
        });
    }

    private void requestSync(String targetName) {
        if (ctx.store().get(BackupTarget.class, targetName).isPresent()) {
            Retry.update(ctx.store(), BackupTarget.class, targetName, bt -> {
                bt.getSpec().syncRequestedAt = ctx.clock().instant().toString();
                return true;
            });
        }
    }

    private String targetName(String backupVolume) {
        return ctx.store().get(BackupVolume.class, backupVolume).map(bv -> bv.getSpec().backupTargetName)
                .filter(n -> !n.isEmpty()).orElse(Targets.DEFAULT);
    }

    private Target target(String backupVolume) {
        String name = targetName(backupVolume);
        return Targets.of(ctx, name).orElseThrow(() -> new ConflictStateException("backup target " + name + " has no URL"));
    }
}
