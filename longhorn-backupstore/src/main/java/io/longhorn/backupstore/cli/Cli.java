package io.longhorn.backupstore.cli;

import io.longhorn.backupstore.config.BackupConfigMapping;
import io.longhorn.backupstore.driver.DriverOptions;
import io.longhorn.backupstore.driver.nfs.SystemMountCommand;
import io.longhorn.backupstore.operations.BackupOperations;
import io.longhorn.backupstore.work.ProgressListener;
import io.longhorn.backupstore.work.Cancellation;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** What the subcommands share: operations with the environment's credentials, progress lines. */
final class Cli {
    private Cli() {
    }

    /**
     * The volume secret in {@code file}, or null without one.
     *
     * @throws InvalidInputException naming the file when it is no valid secret file
     */
    static io.longhorn.api.auth.VolumeSecret secret(java.nio.file.Path file) {
        if (file == null) {
            return null;
        }
        try {
            return io.longhorn.api.auth.VolumeSecret.load(file);
        } catch (java.io.IOException e) {
            throw new io.longhorn.backupstore.error.InvalidInputException("--secret-file: " + e.getMessage());
        }
    }

    /** The secret's bytes for a service request, empty without one. */
    static com.google.protobuf.ByteString secretBytes(java.nio.file.Path file) {
        var s = secret(file);
        return s == null ? com.google.protobuf.ByteString.EMPTY : com.google.protobuf.ByteString.copyFrom(s.bytes());
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

    /**
     * Runs {@code op} so that SIGTERM or Ctrl-C cancel it cleanly: the JVM's shutdown waits (up to
     * 20 s) for it to stop at its next block and release its lock, instead of leaving the lock to
     * expire.
     */
    static <T> T cancelledOnSignal(Cancellation cancel, Supplier<T> op) {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cancel.cancel("stopped by a signal");
            try {
                done.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cancel-on-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return op.get();
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running and sees done
            }
        }
    }
}
