package io.longhorn.engine.cli;

/** The command line is wrong; the message says which argument and why. Exit code 2. */
public class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
