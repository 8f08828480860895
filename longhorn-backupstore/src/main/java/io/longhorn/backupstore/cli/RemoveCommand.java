package io.longhorn.backupstore.cli;

import io.longhorn.backupstore.config.BackupConfigMapping;
import io.longhorn.backupstore.format.BackupUrl;
import io.longhorn.backupstore.store.DeleteResult;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rm}: deletes a backup and the blocks only it used. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Delete a backup; blocks no other backup of the volume references are removed.")
public class RemoveCommand implements Callable<Integer> {

    @Inject
    BackupConfigMapping config;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BACKUP_URL", description = "<target>?backup=<name>&volume=<volume>")
    String backupUrl;

    @Override
    public Integer call() {
        BackupUrl url = BackupUrl.parse(backupUrl, true);
        DeleteResult r = Cli.operations(config).delete(backupUrl);
        spec.commandLine().getErr().printf("deleted backup %s of volume %s (%d blocks removed, %d left)%n",
                url.backup(), url.volume(), r.blocksDeleted(), r.blocksLeft());
        return 0;
    }
}
