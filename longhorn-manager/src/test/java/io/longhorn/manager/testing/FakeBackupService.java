package io.longhorn.manager.testing;

import io.longhorn.api.backup.BackupInfo;
import io.longhorn.api.backup.BackupVolumeInfo;
import io.longhorn.api.backup.BackupVolumeList;
import io.longhorn.api.backup.CopyRequest;
import io.longhorn.api.backup.CreateBackupRequest;
import io.longhorn.api.backup.Job;
import io.longhorn.api.backup.JobKind;
import io.longhorn.api.backup.JobState;
import io.longhorn.api.backup.RestoreRequest;
import io.longhorn.api.backup.Target;
import io.longhorn.manager.client.BackupClient;
import io.longhorn.manager.client.BackupClients;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.backup.BackupUrls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backup service with an in-memory target. A job is RUNNING when started and COMPLETED at the next
 * look (unless jobs are held); restores record which backup went into which replicas, copies which
 * snapshot went from which replica into which.
 */
public final class FakeBackupService implements BackupClients, BackupClient {
    /** Volume to its backups, oldest first. */
    private final Map<String, List<BackupInfo>> store = new ConcurrentHashMap<>();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, Runnable> onComplete = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong(Instant.parse("2024-06-01T00:00:00Z").getEpochSecond());
    /** Restores done: "backup name -> replica addresses (last restored)". */
    public final List<String> restores = new CopyOnWriteArrayList<>();
    /** Restore jobs that failed: "backup name -> replica addresses". */
    public final List<String> failedRestores = new CopyOnWriteArrayList<>();
    private volatile String failNextBackup;
    private volatile boolean holdJobs;
    private String failNextRestore;
    private boolean failNextRestoreIncomplete;
    /** Copies done: "volume <- snapshot from source replica -> replica addresses (overwrite)". */
    public final List<String> copies = new CopyOnWriteArrayList<>();
    /** Copy requests as they were started, failed ones included. */
    public final List<CopyRequest> copyRequests = new CopyOnWriteArrayList<>();
    private String failNextCopy;
    private boolean failNextCopyIncomplete;

    @Override
    public BackupClient client() {
        return this;
    }

    /** The next restore job fails with this error, after writing (targetIncomplete) or before. */
    public synchronized void failNextRestore(String error, boolean targetIncomplete) {
        failNextRestore = error;
        failNextRestoreIncomplete = targetIncomplete;
    }

    /** The next copy job fails with this error, after writing (targetIncomplete) or before. */
    public synchronized void failNextCopy(String error, boolean targetIncomplete) {
        failNextCopy = error;
        failNextCopyIncomplete = targetIncomplete;
    }

    /** While held, every job stays RUNNING at 40 % instead of completing at the next look. */
    public void holdJobs(boolean hold) {
        holdJobs = hold;
    }

    /** The next backup job fails with this error. */
    public void failNextBackup(String error) {
        failNextBackup = error;
    }

    @Override
    public synchronized Job createBackup(CreateBackupRequest req) {
        String name = req.getBackupName().isEmpty() ? "backup-" + ids.incrementAndGet() : req.getBackupName();
        String url = BackupUrls.of(req.getTarget().getUrl(), name, req.getVolumeName());
        String id = "job-" + ids.incrementAndGet();
        Job job = Job.newBuilder().setId(id).setKind(JobKind.BACKUP).setState(JobState.RUNNING)
                .setVolumeName(req.getVolumeName()).setSnapshotName(req.getSnapshotName()).setBackupName(name)
                .setBackupUrl(url).build();
        jobs.put(id, job);
        String fail = failNextBackup;
        failNextBackup = null;
        onComplete.put(id, () -> {
            if (fail != null) {
                jobs.put(id, job.toBuilder().setState(JobState.FAILED).setError(fail).build());
                return;
            }
            String created = Instant.ofEpochSecond(clock.incrementAndGet()).toString();
            BackupInfo info = BackupInfo.newBuilder().setName(name).setUrl(url).setVolumeName(req.getVolumeName())
                    .setSnapshotName(req.getSnapshotName()).setCreated(created).setSize(4096).setVolumeSize(64L << 20)
                    .putAllLabels(req.getLabelsMap()).build();
            store.computeIfAbsent(req.getVolumeName(), v -> new CopyOnWriteArrayList<>()).add(info);
            jobs.put(id, job.toBuilder().setState(JobState.COMPLETED).setProgress(100).setFinished(created).build());
        });
        return job;
    }

    @Override
    public synchronized Job restore(RestoreRequest req) {
        var url = BackupUrls.parse(req.getBackupUrl()).orElseThrow(() ->
                new ServiceCallException("bad backup url " + req.getBackupUrl(), false, true, false, null));
        String id = "job-" + ids.incrementAndGet();
        Job job = Job.newBuilder().setId(id).setKind(JobKind.RESTORE).setState(JobState.RUNNING)
                .setVolumeName(url.volumeName()).setBackupName(url.backupName()).setBackupUrl(req.getBackupUrl()).build();
        jobs.put(id, job);
        String fail = failNextRestore;
        boolean incomplete = failNextRestoreIncomplete;
        failNextRestore = null;
        onComplete.put(id, () -> {
            if (fail != null) {
                failedRestores.add(url.backupName() + " -> " + req.getReplicaAddressesList());
                jobs.put(id, job.toBuilder().setState(JobState.FAILED).setError(fail).setTargetIncomplete(incomplete)
                        .build());
                return;
            }
            restores.add(url.backupName() + " <- " + req.getLastRestoredBackup() + " -> " + req.getReplicaAddressesList());
            jobs.put(id, job.toBuilder().setState(JobState.COMPLETED).setProgress(100).build());
        });
        return job;
    }

    @Override
    public synchronized Job copy(CopyRequest req) {
        copyRequests.add(req);
        String id = "job-" + ids.incrementAndGet();
        Job job = Job.newBuilder().setId(id).setKind(JobKind.COPY).setState(JobState.RUNNING)
                .setVolumeName(req.getVolumeName()).setSnapshotName(req.getSnapshotName()).build();
        jobs.put(id, job);
        String fail = failNextCopy;
        boolean incomplete = failNextCopyIncomplete;
        failNextCopy = null;
        onComplete.put(id, () -> {
            if (fail != null) {
                jobs.put(id, job.toBuilder().setState(JobState.FAILED).setError(fail).setTargetIncomplete(incomplete)
                        .build());
                return;
            }
            copies.add(req.getVolumeName() + " <- " + req.getSnapshotName() + " from " + req.getSourceReplicaAddress()
                    + " -> " + req.getReplicaAddressesList() + (req.getOverwrite() ? " (overwrite)" : ""));
            jobs.put(id, job.toBuilder().setState(JobState.COMPLETED).setProgress(100).build());
        });
        return job;
    }

    @Override
    public synchronized Job getJob(String id) {
        Job j = jobs.get(id);
        if (j == null) {
            throw new ServiceCallException("job " + id + " not found", false, false, true, null);
        }
        if (holdJobs) {
            return j.getState() == JobState.RUNNING ? j.toBuilder().setProgress(40).build() : j;
        }
        Runnable done = onComplete.remove(id);
        if (done != null) {
            done.run();
        }
        return jobs.get(id);
    }

    @Override
    public BackupVolumeList listBackupVolumes(Target target, String volumeName) {
        BackupVolumeList.Builder b = BackupVolumeList.newBuilder();
        store.forEach((v, backups) -> {
            if (!volumeName.isEmpty() && !volumeName.equals(v)) {
                return;
            }
            // Like a real target, the volume stays (its volume.cfg) after its last backup is deleted.
            var info = BackupVolumeInfo.newBuilder().setName(v).addAllBackups(backups);
            if (!backups.isEmpty()) {
                BackupInfo last = backups.getLast();
                info.setSize(last.getVolumeSize()).setLastBackupName(last.getName()).setLastBackupAt(last.getCreated());
            }
            b.addVolumes(info);
        });
        return b.build();
    }

    @Override
    public BackupInfo inspectBackup(Target target, String backupUrl) {
        var url = BackupUrls.parse(backupUrl).orElseThrow(() ->
                new ServiceCallException("bad backup url " + backupUrl, false, true, false, null));
        return store.getOrDefault(url.volumeName(), List.of()).stream().filter(b -> b.getName().equals(url.backupName()))
                .findFirst().orElseThrow(() -> new ServiceCallException("backup " + backupUrl + " not found", false, false,
                        true, null));
    }

    @Override
    public void deleteBackup(Target target, String backupUrl) {
        var url = BackupUrls.parse(backupUrl).orElseThrow();
        List<BackupInfo> list = store.getOrDefault(url.volumeName(), new ArrayList<>());
        if (!list.removeIf(b -> b.getName().equals(url.backupName()))) {
            throw new ServiceCallException("backup " + backupUrl + " not found", false, false, true, null);
        }
    }

    @Override
    public void deleteBackupVolume(Target target, String volumeName) {
        if (store.remove(volumeName) == null) {
            throw new ServiceCallException("backup volume " + volumeName + " not found", false, false, true, null);
        }
    }

    /** Backup names of a volume in the target, oldest first. */
    public List<String> backupNames(String volume) {
        return store.getOrDefault(volume, List.of()).stream().map(BackupInfo::getName).toList();
    }

    /** Adds a backup as if another cluster had made it. */
    public void addBackup(String volume, String name, long volumeSize) {
        String created = Instant.ofEpochSecond(clock.incrementAndGet()).toString();
        store.computeIfAbsent(volume, v -> new CopyOnWriteArrayList<>()).add(BackupInfo.newBuilder().setName(name)
                .setUrl(BackupUrls.of("file:///fake", name, volume)).setVolumeName(volume).setSnapshotName("s-" + name)
                .setCreated(created).setVolumeSize(volumeSize).setSize(4096).build());
    }

    static Map<String, String> copy(Map<String, String> m) {
        return new LinkedHashMap<>(m);
    }
}
