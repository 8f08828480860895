package io.longhorn.backupstore.cli;

import io.longhorn.backupstore.config.BackupConfigMapping;
import io.longhorn.backupstore.driver.DriverOptions;
import io.longhorn.backupstore.driver.nfs.SystemMountCommand;
import io.longhorn.backupstore.operations.BackupOperations;
import io.longhorn.backupstore.work.ProgressListener;
import java.io.PrintWriter;

/** What the subcommands share: operations with the environment's credentials, progress lines. */
final class Cli {
    private Cli() {
    }

    static BackupOperations operations(BackupConfigMapping config) {
        return new BackupOperations(new DriverOptions(System.getenv(), config.nfs().mountRoot(),
                config.nfs().mountOptions(), new SystemMountCommand()));
    }

    /** Prints {@code <what>: N%} on stderr whenever the percentage changes. */
    static ProgressListener progress(PrintWriter err, String what, boolean quiet) {
        if (quiet) {
            return ProgressListener.NONE;
        }
        int[] last = {-1};
        return (done, total) -> {
            if (total <= 0) {
                return; // nothing to do, or not known yet
            }
            int p = ProgressListener.percent(done, total);
            synchronized (last) {
                if (p != last[0]) {
                    last[0] = p;
                    err.println(what + ": " + p + "%");
                    err.flush();
                }
            }
        };
    }
}
