package io.longhorn.backupstore.cli;

import io.longhorn.backupstore.config.BackupConfigMapping;
import io.longhorn.backupstore.restore.RestoreResult;
import io.longhorn.backupstore.work.Cancellation;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code restore}: writes a backup into the replicas of a new (or standby) volume. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore BACKUP_URL into every replica given with --to (each block verified).")
public class RestoreCommand implements Callable<Integer> {

    @Inject
    BackupConfigMapping config;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BACKUP_URL", description = "<target>?backup=<name>&volume=<volume>")
    String backupUrl;

    @Option(names = "--to", required = true, paramLabel = "ADDR",
            description = "A replica's control address host:port, or file:///path.img (repeatable).")
    List<String> targets;

    @Option(names = "--last-restored", paramLabel = "BACKUP",
            description = "Standby volume: the backup it already holds; only differing blocks are written.")
    String lastRestored;

    @Option(names = "--overwrite", description = "Allow a full restore into targets that hold data or are marked "
            + "failed by an earlier restore: the whole volume is written (zeros where the backup has none) and the "
            + "mark is cleared.")
    boolean overwrite;

    @Option(names = "--workers", paramLabel = "N", description = "Blocks in flight; default longhorn.backup.concurrency (2).")
    int workers;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    @Option(names = "--service", paramLabel = "HOST:PORT",
            description = "Run the restore as a job of this backup service instead of in this process.")
    String service;

    @Option(names = "--service-secret-file", paramLabel = "PATH",
            description = "The backup service's secret (its serve --secret-file; the manager's "
                    + "<data-dir>/services/backup-service.secret), proved on every call to --service.")
    java.nio.file.Path serviceSecretFile;

    @Option(names = "--secret-file", paramLabel = "PATH",
            description = "The volume's secret file (32 bytes, mode 0600), for replicas started with one.")
    java.nio.file.Path secretFile;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        long start = System.nanoTime();
        if (service != null) {
            try (ServiceClient client = new ServiceClient(service, serviceSecretFile)) {
                var req = io.longhorn.api.backup.RestoreRequest.newBuilder()
                        .setTarget(ServiceClient.target(null)).setBackupUrl(backupUrl).addAllReplicaAddresses(targets)
                        .setLastRestoredBackup(lastRestored == null ? "" : lastRestored).setConcurrency(workers)
                        .setOverwrite(overwrite).setVolumeSecret(Cli.secretBytes(secretFile)).build();
                var job = client.run(stub -> stub.restore(req), Cli.progress(err, "restore", quiet));
                err.printf("restored backup %s%s: job %s in %d ms%n", job.getBackupName(),
                        job.getIncremental() ? " incrementally" : "", job.getId(), job.getElapsedMs());
                return 0;
            }
        }
        Cancellation cancel = new Cancellation();
        var secret = Cli.secret(secretFile);
        RestoreResult r = Cli.cancelledOnSignal(cancel, () -> Cli.operations(config).withReplicaSecret(secret)
                .restore(backupUrl, targets,
                lastRestored, overwrite, workers > 0 ? workers : config.concurrency(),
                Cli.progress(err, "restore", quiet), cancel));
        err.printf("restored backup %s%s: %d blocks written, %d zeroed in %d ms%n", r.backupName(),
                r.incremental() ? " incrementally" : "", r.blocksWritten(), r.blocksZeroed(),
                (System.nanoTime() - start) / 1_000_000);
        return 0;
    }
}
