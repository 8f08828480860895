package io.longhorn.backupstore.cli;

import io.longhorn.backupstore.error.BackupStoreException;
import picocli.CommandLine;

/**
 * Prints a failure as one line, {@code error: <message>}, and exits with a code telling its kind:
 * 2 invalid input, 3 not found, 4 access denied, 5 locked, 6 corrupt data, 7 cancelled,
 * 8 target or replica unavailable, 1 anything else.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        cmd.getErr().println("error: " + e.getMessage());
        if (e instanceof BackupStoreException b) {
            return exitCode(b.reason());
        }
        e.printStackTrace(cmd.getErr());
        return 1;
    }

    static int exitCode(BackupStoreException.Reason reason) {
        return switch (reason) {
            case INVALID_ARGUMENT -> 2;
            case NOT_FOUND -> 3;
            case PERMISSION_DENIED -> 4;
            case LOCKED -> 5;
            case DATA_CORRUPT -> 6;
            case CANCELLED -> 7;
            case UNAVAILABLE -> 8;
        };
    }
}
