package io.longhorn.backupstore.cli;

import io.longhorn.backupstore.config.BackupConfigMapping;
import io.longhorn.backupstore.store.DeleteResult;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rm-volume}: deletes a backup volume with all its backups. */
@Command(name = "rm-volume", mixinStandardHelpOptions = true,
        description = "Delete a backup volume: all its backups and blocks.")
public class RemoveVolumeCommand implements Callable<Integer> {

    @Inject
    BackupConfigMapping config;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "Backup target URL.")
    String url;

    @Parameters(index = "1", paramLabel = "VOLUME", description = "Backup volume name.")
    String volume;

    @Override
    public Integer call() {
        DeleteResult r = Cli.operations(config).deleteVolume(url, volume);
        spec.commandLine().getErr().printf("deleted backup volume %s (%d blocks)%n", volume, r.blocksDeleted());
        return 0;
    }
}
