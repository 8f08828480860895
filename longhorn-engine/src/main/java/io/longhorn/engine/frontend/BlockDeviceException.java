package io.longhorn.engine.frontend;

import io.longhorn.api.wire.WireStatus;
import java.io.IOException;

/**
 * A block operation failed with an errno the frontend passes to its client (the values of
 * {@link WireStatus}: EIO, EINVAL, ENOSPC, EPERM, ...).
 */
public class BlockDeviceException extends IOException {

    private final int errno;

    public BlockDeviceException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public BlockDeviceException(int errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The errno to report, one of {@link WireStatus}' values (never {@code OK}). */
    public int errno() {
        return errno;
    }

    @Override
    public String toString() {
        return getClass().getName() + " (" + WireStatus.name(errno) + "): " + getMessage();
    }
}
