package io.longhorn.api.wire;

/**
 * Status codes carried in replies. They are the errno values NBD uses, so the engine can hand them
 * to its clients unchanged.
 */
public final class WireStatus {
    public static final int OK = 0;
    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int ENOMEM = 12;
    /** The connection did not prove it holds the volume's secret. */
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOVERFLOW = 75;
    public static final int ESHUTDOWN = 108;

    private WireStatus() {
    }

    public static String name(int status) {
        return switch (status) {
            case OK -> "OK";
            case EPERM -> "EPERM";
            case EIO -> "EIO";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case EOVERFLOW -> "EOVERFLOW";
            case ESHUTDOWN -> "ESHUTDOWN";
            default -> "E" + status;
        };
    }
}
