package io.longhorn.backupstore.cli;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.longhorn.api.backup.BackupServiceGrpc;
import io.longhorn.api.backup.Job;
import io.longhorn.api.backup.JobRequest;
import io.longhorn.api.backup.JobState;
import io.longhorn.api.backup.Target;
import io.longhorn.api.types.Address;
import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.work.ProgressListener;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * For {@code create}/{@code restore --service HOST:PORT}: submits the job to a running backup
 * service instead of doing the work in this process, and follows it to its end.
 */
final class ServiceClient implements AutoCloseable {
    private static final long POLL_MILLIS = 50;
    private static final String[] CREDENTIAL_KEYS = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINTS",
            "AWS_CERT"};

    private final String address;
    private final ManagedChannel channel;
    private final BackupServiceGrpc.BackupServiceBlockingStub stub;

    /**
     * @param secretFile the backup service's secret ({@code serve --secret-file}), or null for a
     *                   service that requires none
     */
    ServiceClient(String address, java.nio.file.Path secretFile) {
        Address a;
        try {
            a = Address.parse(address);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("invalid --service address: " + e.getMessage());
        }
        this.address = a.hostPort();
        ManagedChannelBuilder<?> b = ManagedChannelBuilder.forTarget(a.hostPort()).usePlaintext();
        if (secretFile != null) {
            io.longhorn.api.auth.VolumeSecret secret;
            try {
                secret = io.longhorn.api.auth.VolumeSecret.load(secretFile);
            } catch (java.io.IOException e) {
                throw new InvalidInputException("--service-secret-file: " + e.getMessage());
            }
            b.intercept(io.longhorn.api.auth.GrpcAuth.client("longhorn-backup-cli", () -> secret));
        }
        this.channel = b.build();
        this.stub = BackupServiceGrpc.newBlockingStub(channel);
    }

    /** The target with this process's S3 credentials, which the service uses instead of its own. */
    static Target target(String url) {
        Map<String, String> creds = new HashMap<>();
        for (String k : CREDENTIAL_KEYS) {
            String v = System.getenv(k);
            if (v != null && !v.isBlank()) {
                creds.put(k, v);
            }
        }
        return Target.newBuilder().setUrl(url == null ? "" : url).putAllCredentials(creds).build();
    }

    /** Starts a job with {@code start} and waits for its end, reporting progress. */
    Job run(Function<BackupServiceGrpc.BackupServiceBlockingStub, Job> start, ProgressListener progress) {
        try {
            Job job = start.apply(stub.withDeadlineAfter(60, TimeUnit.SECONDS));
            while (job.getState() == JobState.PENDING || job.getState() == JobState.RUNNING) {
                progress.onProgress(job.getBlocksDone(), job.getBlocksTotal());
                Thread.sleep(POLL_MILLIS);
                job = stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                        .getJob(JobRequest.newBuilder().setId(job.getId()).build());
            }
            progress.onProgress(job.getBlocksDone(), job.getBlocksTotal());
            if (job.getState() != JobState.COMPLETED) {
                throw new BackupStoreException(job.getState() == JobState.CANCELLED
                        ? BackupStoreException.Reason.CANCELLED : BackupStoreException.Reason.UNAVAILABLE,
                        "job " + job.getId() + " " + job.getState().name().toLowerCase(java.util.Locale.ROOT) + ": "
                                + job.getError());
            }
            return job;
        } catch (StatusRuntimeException e) {
            String why = "backup service " + address + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription();
            if (e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED
                    || e.getStatus().getCode() == io.grpc.Status.Code.PERMISSION_DENIED) {
                throw new io.longhorn.backupstore.error.AccessDeniedException(why
                        + (e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED
                        ? " (give its secret with --service-secret-file)" : ""), e);
            }
            throw new TargetIOException(why, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetIOException("interrupted while waiting for backup service " + address, e);
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
