package io.longhorn.manager.metrics;

import io.longhorn.manager.service.ManagerServices;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/** {@code GET /metrics}: the Prometheus text format. */
@Path("/metrics")
public class MetricsResource {
    @Inject
    ManagerServices services;

    @GET
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        return new MetricsCollector(services.context().store(), services.context().ioRates()).collect();
    }
}
