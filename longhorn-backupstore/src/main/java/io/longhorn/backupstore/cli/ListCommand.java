package io.longhorn.backupstore.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.longhorn.backupstore.config.BackupConfigMapping;
import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.store.BackupVolume;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ls}: backup volumes and their complete backups. */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List the backup volumes of a target and their backups (in progress or killed ones are not listed).")
public class ListCommand implements Callable<Integer> {

    @Inject
    BackupConfigMapping config;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "Backup target URL.")
    String url;

    @Option(names = "--volume", paramLabel = "NAME", description = "Only this volume.")
    String volume;

    @Option(names = "--json", description = "JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<BackupVolume> volumes = Cli.operations(config).list(url, Optional.ofNullable(volume));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode arr = InspectCommand.JSON.createArrayNode();
            for (BackupVolume v : volumes) {
                ObjectNode vn = InspectCommand.JSON.valueToTree(v.config());
                vn.put("CompressionMethod", v.config().compressionMethod());
                ArrayNode bs = vn.putArray("Backups");
                for (BackupConfig b : v.backups()) {
                    ObjectNode bn = InspectCommand.JSON.valueToTree(b);
                    bn.remove("Blocks");
                    bn.put("BlockCount", b.blocksOrEmpty().size());
                    bs.add(bn);
                }
                arr.add(vn);
            }
            out.println(InspectCommand.JSON.writeValueAsString(arr));
            return 0;
        }
        out.printf("%-24s %-26s %-20s %-21s %12s %s%n", "VOLUME", "BACKUP", "SNAPSHOT", "CREATED", "SIZE", "TYPE");
        for (BackupVolume v : volumes) {
            if (v.backups().isEmpty()) {
                out.printf("%-24s %-26s%n", v.config().name(), "(no backups)");
            }
            for (BackupConfig b : v.backups()) {
                out.printf("%-24s %-26s %-20s %-21s %12d %s%n", v.config().name(), b.name(), b.snapshotName(),
                        b.createdTime(), b.size(), b.incremental() ? "incremental" : "full");
            }
        }
        return 0;
    }
}
