package io.longhorn.engine.rebuild;

/** A rebuild could not finish: the message names the replicas and the file concerned. */
public class RebuildException extends RuntimeException {
    public RebuildException(String message) {
        super(message);
    }

    public RebuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
