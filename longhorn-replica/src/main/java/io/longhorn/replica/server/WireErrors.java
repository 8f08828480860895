package io.longhorn.replica.server;

import io.longhorn.api.wire.WireStatus;
import io.longhorn.replica.store.FencedException;
import io.longhorn.replica.store.InvalidArgumentException;
import io.longhorn.replica.store.NotFoundException;

/** Maps the store's exceptions to the data protocol's reply statuses. */
final class WireErrors {
    private WireErrors() {
    }

    /**
     * EPERM for a writer that is fenced off (a newer engine owns the replica);
     * EINVAL for a request the replica refuses (bad range, unaligned, unknown layer); EIO for
     * everything else, so the engine treats the replica as failed rather than the request as wrong.
     */
    static int status(Throwable t) {
        if (t instanceof FencedException) {
            return WireStatus.EPERM;
        }
        if (t instanceof InvalidArgumentException || t instanceof NotFoundException) {
            return WireStatus.EINVAL;
        }
        return WireStatus.EIO;
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
