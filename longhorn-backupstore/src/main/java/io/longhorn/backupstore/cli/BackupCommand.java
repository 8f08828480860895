package io.longhorn.backupstore.cli;

import picocli.CommandLine.Command;

/** {@code longhorn-backup}: the top command; see the subcommands. */
@Command(name = "longhorn-backup", mixinStandardHelpOptions = true,
        description = "Incremental, deduplicated backups of Longhorn volumes to s3://, nfs:// and file:// targets.",
        subcommands = {CreateCommand.class, ListCommand.class, InspectCommand.class, RemoveCommand.class,
                RemoveVolumeCommand.class, RestoreCommand.class, ServeCommand.class, BenchCopyCommand.class})
public class BackupCommand {
}
