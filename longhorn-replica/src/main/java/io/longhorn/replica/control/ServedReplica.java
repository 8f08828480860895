package io.longhorn.replica.control;

import io.longhorn.replica.store.Replica;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The replica this process serves and where its data server listens. Published once the store is
 * open and the data server runs; until then control calls answer UNAVAILABLE.
 */
@ApplicationScoped
public class ServedReplica {
    private volatile Replica replica;
    private volatile String dataAddress = "";
    private volatile String dataSocket = "";

    /**
     * @param dataAddress {@code tcp://host:port} of the data server
     * @param dataSocket  its Unix socket path, or empty
     */
    public void publish(Replica replica, String dataAddress, String dataSocket) {
        this.dataAddress = dataAddress == null ? "" : dataAddress;
        this.dataSocket = dataSocket == null ? "" : dataSocket;
        this.replica = replica;
    }

    /** Stops serving control calls (at shutdown, before the store closes). */
    public void withdraw() {
        this.replica = null;
    }

    /**
     * @throws NotServingException when no replica is published
     */
    public Replica replica() {
        Replica r = replica;
        if (r == null) {
            throw new NotServingException("the replica is not open (starting or shutting down)");
        }
        return r;
    }

    public String dataAddress() {
        return dataAddress;
    }

    public String dataSocket() {
        return dataSocket;
    }

    /** No replica is open in this process right now. */
    public static final class NotServingException extends RuntimeException {
        public NotServingException(String message) {
            super(message);
        }
    }
}
