package io.longhorn.backupstore.job;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.backupstore.backup.BackupResult;
import io.longhorn.backupstore.config.BackupConfigMapping;
import io.longhorn.backupstore.copy.Copier;
import io.longhorn.backupstore.copy.CopyRequest;
import io.longhorn.backupstore.endpoint.Endpoints;
import io.longhorn.backupstore.restore.RestoreTarget;
import io.longhorn.backupstore.source.SnapshotSource;
import io.longhorn.backupstore.driver.BackupTargets;
import io.longhorn.backupstore.driver.DriverOptions;
import io.longhorn.backupstore.driver.nfs.SystemMountCommand;
import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.CancelledException;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.format.BackupUrl;
import io.longhorn.backupstore.operations.BackupOperations;
import io.longhorn.backupstore.restore.RestoreResult;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/** Starts, tracks and cancels backup, restore and copy jobs. */
@ApplicationScoped
public class JobManager {
    private static final Logger LOG = Logger.getLogger(JobManager.class);

    private final BackupConfigMapping config;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("backup-job-", 0).daemon().factory());

    @Inject
    public JobManager(BackupConfigMapping config) {
        this.config = config;
    }

    /** The driver options for a request: its credentials, or this process's environment. */
    public DriverOptions options(Map<String, String> credentials) {
        return new DriverOptions(credentials == null || credentials.isEmpty() ? System.getenv() : credentials,
                config.nfs().mountRoot(), config.nfs().mountOptions(), new SystemMountCommand());
    }

    public int defaultConcurrency() {
        return config.concurrency();
    }

    public String defaultCompression() {
        return config.compression();
    }

    /** Starts a backup job; the input is checked by the job (its errors show in the job). */
    public JobStatus startBackup(BackupOperations.CreateSpec spec, Map<String, String> credentials) {
        return startBackup(spec, credentials, null);
    }

    /** Starts a backup job whose replica calls prove {@code volumeSecret} (null: none). */
    public JobStatus startBackup(BackupOperations.CreateSpec spec, Map<String, String> credentials,
                                 VolumeSecret volumeSecret) {
        if (spec.snapshotName() == null || spec.snapshotName().isBlank()) {
            throw new InvalidInputException("snapshot name is empty");
        }
        if (spec.replica() == null || spec.replica().isBlank()) {
            throw new InvalidInputException("replica address is empty");
        }
        BackupTargets.validate(spec.targetUrl());
        Job job = register(JobKind.BACKUP, spec.volumeName(), spec.snapshotName(), spec.backupName(), null);
        BackupOperations ops = new BackupOperations(options(credentials)).withReplicaSecret(volumeSecret);
        run(job, () -> {
            BackupResult r = ops.create(spec, job, job.cancellation());
            job.backupDone(BackupUrl.parse(r.backupUrl(), true).volume(), r.backupName(), r.backupUrl(),
                    r.incremental(), r.bytesUploaded());
        });
        return job.status();
    }

    /**
     * Starts a restore job.
     *
     * @param overwrite for a full restore: write the whole volume even into replicas that hold data or
     *                  are marked failed (see {@link io.longhorn.backupstore.restore.RestoreRequest})
     */
    public JobStatus startRestore(String backupUrl, List<String> targets, String lastRestored, boolean overwrite,
                                  int concurrency, Map<String, String> credentials) {
        return startRestore(backupUrl, targets, lastRestored, overwrite, concurrency, credentials, null);
    }

    /** Starts a restore job whose replica connections prove {@code volumeSecret} (null: none). */
    public JobStatus startRestore(String backupUrl, List<String> targets, String lastRestored, boolean overwrite,
                                  int concurrency, Map<String, String> credentials, VolumeSecret volumeSecret) {
        BackupUrl url = BackupUrl.parse(backupUrl, true);
        BackupTargets.validate(url.target());
        if (targets == null || targets.isEmpty()) {
            throw new InvalidInputException("no restore target: give at least one replica address");
        }
        Job job = register(JobKind.RESTORE, url.volume(), null, url.backup(), backupUrl);
        BackupOperations ops = new BackupOperations(options(credentials)).withReplicaSecret(volumeSecret);
        int workers = concurrency > 0 ? concurrency : config.concurrency();
        run(job, () -> {
            RestoreResult r = ops.restore(backupUrl, targets, lastRestored, overwrite, workers, job,
                    job.cancellation());
            job.restoreDone(r.incremental());
        });
        return job.status();
    }

    /**
     * Starts a copy job: snapshot {@code snapshot} read from the replica at {@code sourceReplica}
     * (proving {@code sourceSecret}) written into {@code targets} (proving {@code targetSecret}); null
     * secrets for replicas without one. No backup target is involved.
     */
    public JobStatus startCopy(String sourceReplica, String snapshot, String volumeName, List<String> targets,
                               boolean overwrite, int concurrency, VolumeSecret sourceSecret,
                               VolumeSecret targetSecret) {
        if (sourceReplica == null || sourceReplica.isBlank()) {
            throw new InvalidInputException("source replica address is empty");
        }
        if (snapshot == null || snapshot.isBlank()) {
            throw new InvalidInputException("snapshot name is empty");
        }
        if (targets == null || targets.isEmpty()) {
            throw new InvalidInputException("no copy target: give at least one replica address");
        }
        Job job = register(JobKind.COPY, volumeName, snapshot, null, null);
        CopyRequest request = new CopyRequest(volumeName, snapshot, overwrite,
                concurrency > 0 ? concurrency : config.concurrency());
        run(job, () -> {
            try (SnapshotSource source = Endpoints.source(sourceReplica, sourceSecret)) {
                long size = source.info().size();
                try (RestoreTarget target = Endpoints.target(targets, size, targetSecret)) {
                    Copier.copy(source, request, target, job, job.cancellation());
                }
            }
            job.copyDone();
        });
        return job.status();
    }

    private synchronized Job register(JobKind kind, String volume, String snapshot, String backupName, String url) {
        String id = kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + UUID.randomUUID().toString().substring(0, 8);
        Job job = new Job(id, kind, volume, snapshot, backupName, url);
        jobs.put(id, job);
        prune();
        return job;
    }

    /** Forgets the oldest finished jobs beyond the retention limit. */
    private void prune() {
        int excess = jobs.size() - config.retainedJobs();
        var it = jobs.values().iterator();
        while (excess > 0 && it.hasNext()) {
            if (it.next().status().state().isFinal()) {
                it.remove();
                excess--;
            }
        }
    }

    private void run(Job job, Runnable work) {
        executor.execute(() -> {
            job.running();
            try {
                work.run();
            } catch (CancelledException e) {
                job.finish(JobState.CANCELLED, e.getMessage(), e.targetIncomplete());
            } catch (BackupStoreException e) {
                LOG.errorf("job %s (%s of volume %s) failed: %s", job.id(), job.status().kind(),
                        job.status().volumeName(), e.getMessage());
                job.finish(JobState.FAILED, e.getMessage(), e.targetIncomplete());
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "job %s (%s of volume %s) failed", job.id(), job.status().kind(),
                        job.status().volumeName());
                job.finish(JobState.FAILED, e.toString(), job.status().kind() != JobKind.BACKUP);
            }
        });
    }

    public synchronized Optional<JobStatus> get(String id) {
        return Optional.ofNullable(jobs.get(id)).map(Job::status);
    }

    public synchronized List<JobStatus> list() {
        List<JobStatus> out = new ArrayList<>();
        jobs.values().forEach(j -> out.add(j.status()));
        return out;
    }

    /**
     * Asks a job to stop; it ends CANCELLED at its next block.
     *
     * @throws NotFoundException when there is no such job
     */
    public JobStatus cancel(String id) {
        Job job;
        synchronized (this) {
            job = jobs.get(id);
        }
        if (job == null) {
            throw new NotFoundException("job " + id + " not found");
        }
        job.cancellation().cancel("cancelled by request");
        return job.status();
    }

    @PreDestroy
    void stop() {
        synchronized (this) {
            jobs.values().forEach(j -> j.cancellation().cancel("the backup service is stopping"));
        }
        executor.shutdown();
    }
}
