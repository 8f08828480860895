package io.longhorn.manager.metrics;

import io.longhorn.manager.service.ManagerServices;
import io.longhorn.manager.auth.ApiAccess;
import io.longhorn.manager.service.NotFoundException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/** {@code GET /metrics}: the Prometheus text format (open, behind a token or off: {@code longhorn.auth.metrics}). */
@Path("/metrics")
public class MetricsResource {
    @Inject
    ManagerServices services;

    @Inject
    ApiAccess access;

    @GET
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        if (access.metrics() == ApiAccess.MetricsAccess.OFF) {
            throw new NotFoundException("/metrics is off (longhorn.auth.metrics=off)");
        }
        return new MetricsCollector(services.context().store(), services.context().ioRates()).collect()
                + access.counters().prometheus();
    }
}
