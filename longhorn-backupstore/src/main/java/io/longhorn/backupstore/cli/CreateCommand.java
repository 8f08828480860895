package io.longhorn.backupstore.cli;

import io.longhorn.backupstore.backup.BackupResult;
import io.longhorn.backupstore.config.BackupConfigMapping;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.format.Compression;
import io.longhorn.backupstore.operations.BackupOperations;
import io.longhorn.backupstore.work.Cancellation;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code create}: backs up one snapshot of a replica; prints the backup URL. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Back up SNAPSHOT of a replica to a target; prints the backup URL on stdout.")
public class CreateCommand implements Callable<Integer> {

    @Inject
    BackupConfigMapping config;

    @Spec
    CommandSpec spec;

    @Option(names = "--dest", required = true, paramLabel = "URL",
            description = "Backup target: s3://bucket@region/path, nfs://server:/export/path or file:///path.")
    String dest;

    @Option(names = "--replica", required = true, paramLabel = "ADDR",
            description = "The replica's control address host:port, or dir:///path of a replica directory.")
    String replica;

    @Option(names = "--volume", paramLabel = "NAME",
            description = "Volume name; default: from the replica's directory name (<volume>-<8 hex>).")
    String volume;

    @Option(names = "--name", paramLabel = "BACKUP", description = "Backup name; default: backup-<16 hex>.")
    String name;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label stored with the backup (repeatable).")
    List<String> labels = List.of();

    @Option(names = "--compression", paramLabel = "METHOD",
            description = "lz4, gzip or none, for a new backup volume (an existing one keeps its own).")
    String compression;

    @Option(names = "--workers", paramLabel = "N", description = "Workers, each reading one block while it stores another; default longhorn.backup.concurrency (2).")
    int workers;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    @Option(names = "--service", paramLabel = "HOST:PORT",
            description = "Run the backup as a job of this backup service instead of in this process.")
    String service;

    @Option(names = "--service-secret-file", paramLabel = "PATH",
            description = "The backup service's secret (its serve --secret-file; the manager's "
                    + "<data-dir>/services/backup-service.secret), proved on every call to --service.")
    java.nio.file.Path serviceSecretFile;

    @Option(names = "--secret-file", paramLabel = "PATH",
            description = "The volume's secret file (32 bytes, mode 0600), for replicas started with one.")
    java.nio.file.Path secretFile;

    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "The snapshot to back up.")
    String snapshot;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        long start = System.nanoTime();
        if (service != null) {
            return viaService(err);
        }
        var spec1 = new BackupOperations.CreateSpec(dest, replica, volume, snapshot, name, parseLabels(labels),
                Compression.parse(compression == null ? config.compression() : compression),
                workers > 0 ? workers : config.concurrency());
        Cancellation cancel = new Cancellation();
        var secret = Cli.secret(secretFile);
        BackupResult r = Cli.cancelledOnSignal(cancel, () -> Cli.operations(config).withReplicaSecret(secret).create(spec1,
                Cli.progress(err, "backup " + snapshot, quiet), cancel));
        err.printf("backup %s of snapshot %s: %s, %d blocks, %d new (%d bytes stored) in %d ms%n", r.backupName(),
                snapshot, r.incremental() ? "incremental" : "full", r.blockCount(), r.blocksUploaded(),
                r.bytesUploaded(), (System.nanoTime() - start) / 1_000_000);
        spec.commandLine().getOut().println(r.backupUrl());
        return 0;
    }

    private int viaService(java.io.PrintWriter err) {
        try (ServiceClient client = new ServiceClient(service, serviceSecretFile)) {
            var req = io.longhorn.api.backup.CreateBackupRequest.newBuilder()
                    .setTarget(ServiceClient.target(dest)).setReplicaAddress(replica)
                    .setVolumeSecret(Cli.secretBytes(secretFile))
                    .setVolumeName(volume == null ? "" : volume).setSnapshotName(snapshot)
                    .setBackupName(name == null ? "" : name).putAllLabels(parseLabels(labels))
                    .setCompressionMethod(compression == null ? "" : compression).setConcurrency(workers).build();
            var job = client.run(stub -> stub.createBackup(req), Cli.progress(err, "backup " + snapshot, quiet));
            // the job's own run time: what the service spent, without this client's start-up
            err.printf("backup %s of snapshot %s: %s, %d blocks read, %d bytes stored, job %s, in %d ms%n",
                    job.getBackupName(), snapshot, job.getIncremental() ? "incremental" : "full", job.getBlocksTotal(),
                    job.getBytesUploaded(), job.getId(), job.getElapsedMs());
            spec.commandLine().getOut().println(job.getBackupUrl());
            return 0;
        }
    }

    static Map<String, String> parseLabels(List<String> labels) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("invalid label \"" + l + "\": expected KEY=VALUE");
            }
            out.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return out;
    }
}
