package io.longhorn.backupstore.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.longhorn.backupstore.config.BackupConfigMapping;
import io.longhorn.backupstore.format.BackupConfig;
import io.longhorn.backupstore.format.BackupUrl;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code inspect}: one backup's cfg as JSON. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a backup's metadata (its backup cfg) as JSON.")
public class InspectCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Inject
    BackupConfigMapping config;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BACKUP_URL", description = "<target>?backup=<name>&volume=<volume>")
    String backupUrl;

    @Option(names = "--blocks", description = "Include the block list.")
    boolean blocks;

    @Override
    public Integer call() throws Exception {
        BackupConfig cfg = Cli.operations(config).inspect(backupUrl);
        ObjectNode node = JSON.valueToTree(cfg);
        node.put("URL", BackupUrl.format(BackupUrl.parse(backupUrl, true).target(), cfg.volumeName(), cfg.name()));
        node.put("BlockCount", cfg.blocksOrEmpty().size());
        if (!blocks) {
            node.remove("Blocks");
        }
        spec.commandLine().getOut().println(JSON.writeValueAsString(node));
        return 0;
    }
}
