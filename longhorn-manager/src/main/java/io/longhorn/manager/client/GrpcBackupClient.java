package io.longhorn.manager.client;

import com.google.protobuf.ByteString;
import io.longhorn.api.auth.VolumeSecret;
import java.util.function.Function;
import io.grpc.ManagedChannel;
import io.longhorn.api.backup.BackupInfo;
import io.longhorn.api.backup.BackupRequest;
import io.longhorn.api.backup.BackupServiceGrpc;
import io.longhorn.api.backup.BackupVolumeList;
import io.longhorn.api.backup.BackupVolumeRequest;
import io.longhorn.api.backup.CopyRequest;
import io.longhorn.api.backup.CreateBackupRequest;
import io.longhorn.api.backup.Job;
import io.longhorn.api.backup.JobRequest;
import io.longhorn.api.backup.ListBackupVolumesRequest;
import io.longhorn.api.backup.RestoreRequest;
import io.longhorn.api.backup.Target;
import java.util.concurrent.TimeUnit;

/** {@link BackupClient} over gRPC. */
final class GrpcBackupClient implements BackupClient {
    /** Listing a big S3 target or deleting blocks can take a while. */
    private static final long SECONDS = 120;

    private final String address;
    private final BackupServiceGrpc.BackupServiceBlockingStub stub;
    private final Function<String, VolumeSecret> secrets;

    /**
     * @param secrets the volume secret of a replica by its control address (null when unknown),
     *                handed to the service with each job so that it can prove it to the replicas
     */
    GrpcBackupClient(String address, ManagedChannel channel, Function<String, VolumeSecret> secrets) {
        this.secrets = secrets;
        this.address = address;
        this.stub = BackupServiceGrpc.newBlockingStub(channel);
    }

    private BackupServiceGrpc.BackupServiceBlockingStub s() {
        return stub.withDeadlineAfter(SECONDS, TimeUnit.SECONDS);
    }

    private String at(String what) {
        return what + " (backup service " + address + ")";
    }

    @Override
    public Job createBackup(CreateBackupRequest request) {
        return GrpcCalls.call(at("start a backup of snapshot " + request.getSnapshotName() + " of volume "
                + request.getVolumeName()), () -> s().createBackup(withSecret(request)));
    }

    @Override
    public Job restore(RestoreRequest request) {
        return GrpcCalls.call(at("start restoring " + request.getBackupUrl()), () -> s().restore(withSecret(request)));
    }

    @Override
    public Job copy(CopyRequest request) {
        return GrpcCalls.call(at("start copying snapshot " + request.getSnapshotName() + " into volume "
                + request.getVolumeName()), () -> s().copy(withSecrets(request)));
    }

    /** A copy proves two secrets: the source volume's to its replica, the new volume's to its replicas. */
    private CopyRequest withSecrets(CopyRequest request) {
        CopyRequest.Builder b = request.toBuilder();
        VolumeSecret source = secrets.apply(request.getSourceReplicaAddress());
        if (source != null) {
            b.setSourceVolumeSecret(ByteString.copyFrom(source.bytes()));
        }
        for (String replica : request.getReplicaAddressesList()) {
            VolumeSecret s = secrets.apply(replica);
            if (s != null) {
                b.setVolumeSecret(ByteString.copyFrom(s.bytes()));
                break;
            }
        }
        return b.build();
    }

    private CreateBackupRequest withSecret(CreateBackupRequest request) {
        VolumeSecret s = secrets.apply(request.getReplicaAddress());
        return s == null ? request : request.toBuilder().setVolumeSecret(ByteString.copyFrom(s.bytes())).build();
    }

    private RestoreRequest withSecret(RestoreRequest request) {
        // All replicas of a restore belong to one volume: one secret.
        for (String replica : request.getReplicaAddressesList()) {
            VolumeSecret s = secrets.apply(replica);
            if (s != null) {
                return request.toBuilder().setVolumeSecret(ByteString.copyFrom(s.bytes())).build();
            }
        }
        return request;
    }

    @Override
    public Job getJob(String id) {
        return GrpcCalls.call(at("get job " + id), () -> s().getJob(JobRequest.newBuilder().setId(id).build()));
    }

    @Override
    public BackupVolumeList listBackupVolumes(Target target, String volumeName) {
        return GrpcCalls.call(at("list backup volumes in " + target.getUrl()), () -> s().listBackupVolumes(
                ListBackupVolumesRequest.newBuilder().setTarget(target).setVolumeName(volumeName).build()));
    }

    @Override
    public BackupInfo inspectBackup(Target target, String backupUrl) {
        return GrpcCalls.call(at("inspect backup " + backupUrl), () -> s().inspectBackup(
                BackupRequest.newBuilder().setTarget(target).setBackupUrl(backupUrl).build()));
    }

    @Override
    public void deleteBackup(Target target, String backupUrl) {
        GrpcCalls.call(at("delete backup " + backupUrl), () -> s().deleteBackup(
                BackupRequest.newBuilder().setTarget(target).setBackupUrl(backupUrl).build()));
    }

    @Override
    public void deleteBackupVolume(Target target, String volumeName) {
        GrpcCalls.call(at("delete backup volume " + volumeName + " in " + target.getUrl()), () -> s().deleteBackupVolume(
                BackupVolumeRequest.newBuilder().setTarget(target).setVolumeName(volumeName).build()));
    }
}
