package io.longhorn.engine.frontend;

import java.io.IOException;

/**
 * A way clients reach a volume's {@link BlockDevice} (NBD over TCP or a Unix socket).
 * The controller creates it, starts it once the volume is ready and closes it on shutdown,
 * before revert, or when the volume is detached.
 */
public interface Frontend extends AutoCloseable {

    /** Binds and starts serving; throws when the address cannot be bound. */
    void start() throws IOException;

    /**
     * Where clients connect, as a URI they understand, e.g. {@code nbd://127.0.0.1:10809/vol1}
     * (and {@code nbd+unix:///vol1?socket=/path} when a socket is also served). Valid after
     * {@link #start()}.
     */
    String endpoint();

    /** Stops accepting, closes every connection and waits for in-flight requests to finish. */
    @Override
    void close();
}
