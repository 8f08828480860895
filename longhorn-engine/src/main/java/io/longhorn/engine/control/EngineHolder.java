package io.longhorn.engine.control;

import io.longhorn.engine.controller.VolumeController;
import io.longhorn.engine.controller.VolumeException;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Holds the running volume for the gRPC service. Closing it at shutdown (SIGTERM) is the clean
 * shutdown that lets the next start use all replicas without a resync.
 */
@ApplicationScoped
public class EngineHolder {

    private volatile VolumeController controller;

    void set(VolumeController controller) {
        this.controller = controller;
    }

    /** The volume, or UNAVAILABLE while there is none. */
    VolumeController controller() {
        VolumeController c = controller;
        if (c == null) {
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, "this engine serves no volume (yet)");
        }
        return c;
    }

    void onShutdown(@Observes ShutdownEvent event) {
        close();
    }

    void close() {
        VolumeController c = controller;
        if (c != null) {
            c.close();
        }
    }
}
