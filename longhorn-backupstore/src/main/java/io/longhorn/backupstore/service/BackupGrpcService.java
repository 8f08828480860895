package io.longhorn.backupstore.service;

import io.longhorn.api.auth.VolumeSecret;
import io.grpc.stub.StreamObserver;
import io.longhorn.api.backup.BackupInfo;
import io.longhorn.api.backup.BackupRequest;
import io.longhorn.api.backup.BackupServiceGrpc;
import io.longhorn.api.backup.BackupVolumeList;
import io.longhorn.api.backup.BackupVolumeRequest;
import io.longhorn.api.backup.CopyRequest;
import io.longhorn.api.backup.CreateBackupRequest;
import io.longhorn.api.backup.DeleteResponse;
import io.longhorn.api.backup.Job;
import io.longhorn.api.backup.JobList;
import io.longhorn.api.backup.JobRequest;
import io.longhorn.api.backup.ListBackupVolumesRequest;
import io.longhorn.api.backup.ListJobsRequest;
import io.longhorn.api.backup.RestoreRequest;
import io.longhorn.api.backup.Target;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.format.BackupUrl;
import io.longhorn.backupstore.format.Compression;
import io.longhorn.backupstore.job.JobManager;
import io.longhorn.backupstore.operations.BackupOperations;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gRPC backup service. Backups, restores and copies become jobs and return at once; listing,
 * inspecting and deleting run in the call (on a worker thread: they talk to the target).
 */
@GrpcService
@Blocking
public class BackupGrpcService extends BackupServiceGrpc.BackupServiceImplBase {

    private final JobManager jobs;
    private final ServiceAuth auth;

    @Inject
    public BackupGrpcService(JobManager jobs, ServiceAuth auth) {
        this.jobs = jobs;
        this.auth = auth;
    }

    @Override
    public void createBackup(CreateBackupRequest req, StreamObserver<Job> out) {
        respond(out, () -> {
            String compression = req.getCompressionMethod().isEmpty() ? jobs.defaultCompression()
                    : req.getCompressionMethod();
            var spec = new BackupOperations.CreateSpec(url(req.getTarget()), req.getReplicaAddress(),
                    req.getVolumeName(), req.getSnapshotName(), req.getBackupName(), req.getLabelsMap(),
                    Compression.parse(compression),
                    req.getConcurrency() > 0 ? req.getConcurrency() : jobs.defaultConcurrency());
            return ProtoMapper.job(jobs.startBackup(spec, req.getTarget().getCredentialsMap(),
                    secret(req.getVolumeSecret())));
        });
    }

    @Override
    public void restore(RestoreRequest req, StreamObserver<Job> out) {
        respond(out, () -> ProtoMapper.job(jobs.startRestore(req.getBackupUrl(), req.getReplicaAddressesList(),
                req.getLastRestoredBackup(), req.getOverwrite(), req.getConcurrency(),
                req.getTarget().getCredentialsMap(), secret(req.getVolumeSecret()))));
    }

    @Override
    public void copy(CopyRequest req, StreamObserver<Job> out) {
        respond(out, () -> ProtoMapper.job(jobs.startCopy(req.getSourceReplicaAddress(), req.getSnapshotName(),
                req.getVolumeName(), req.getReplicaAddressesList(), req.getOverwrite(), req.getConcurrency(),
                secret(req.getSourceVolumeSecret()), secret(req.getVolumeSecret()))));
    }

    /** The volume secret of a request, or null when it has none; a wrong size is the caller's error. */
    private static VolumeSecret secret(com.google.protobuf.ByteString bytes) {
        if (bytes.isEmpty()) {
            return null;
        }
        if (bytes.size() != VolumeSecret.SIZE) {
            throw new InvalidInputException("volume_secret has " + bytes.size() + " bytes, not " + VolumeSecret.SIZE);
        }
        return VolumeSecret.of(bytes.toByteArray());
    }

    @Override
    public void getJob(JobRequest req, StreamObserver<Job> out) {
        respond(out, () -> ProtoMapper.job(jobs.get(req.getId())
                .orElseThrow(() -> new NotFoundException("job " + req.getId() + " not found"))));
    }

    @Override
    public void listJobs(ListJobsRequest req, StreamObserver<JobList> out) {
        respond(out, () -> {
            JobList.Builder b = JobList.newBuilder();
            jobs.list().forEach(j -> b.addJobs(ProtoMapper.job(j)));
            return b.build();
        });
    }

    @Override
    public void cancelJob(JobRequest req, StreamObserver<Job> out) {
        respond(out, () -> ProtoMapper.job(jobs.cancel(req.getId())));
    }

    @Override
    public void listBackupVolumes(ListBackupVolumesRequest req, StreamObserver<BackupVolumeList> out) {
        respond(out, () -> {
            String target = url(req.getTarget());
            BackupVolumeList.Builder b = BackupVolumeList.newBuilder().setAuthRefusals(auth.refusals());
            ops(req.getTarget()).list(target, req.getVolumeName().isEmpty() ? Optional.empty()
                    : Optional.of(req.getVolumeName())).forEach(v -> b.addVolumes(ProtoMapper.volume(target, v)));
            return b.build();
        });
    }

    @Override
    public void inspectBackup(BackupRequest req, StreamObserver<BackupInfo> out) {
        respond(out, () -> ProtoMapper.backup(BackupUrl.parse(req.getBackupUrl(), true).target(),
                ops(req.getTarget()).inspect(req.getBackupUrl())));
    }

    @Override
    public void deleteBackup(BackupRequest req, StreamObserver<DeleteResponse> out) {
        respond(out, () -> DeleteResponse.newBuilder()
                .setBlocksDeleted(ops(req.getTarget()).delete(req.getBackupUrl()).blocksDeleted()).build());
    }

    @Override
    public void deleteBackupVolume(BackupVolumeRequest req, StreamObserver<DeleteResponse> out) {
        respond(out, () -> DeleteResponse.newBuilder()
                .setBlocksDeleted(ops(req.getTarget()).deleteVolume(url(req.getTarget()), req.getVolumeName())
                        .blocksDeleted()).build());
    }

    private BackupOperations ops(Target target) {
        Map<String, String> creds = target.getCredentialsMap();
        return new BackupOperations(jobs.options(creds));
    }

    private static String url(Target target) {
        if (target.getUrl().isBlank()) {
            throw new InvalidInputException("target url is empty");
        }
        return target.getUrl();
    }

    private static <T> void respond(StreamObserver<T> out, Supplier<T> call) {
        T result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }
}
