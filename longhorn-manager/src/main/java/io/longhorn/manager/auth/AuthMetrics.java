package io.longhorn.manager.auth;

import java.util.concurrent.atomic.LongAdder;

/** Refused API requests, by reason, for {@code longhorn_api_refused_requests_total}. */
public final class AuthMetrics {
    private final LongAdder unauthenticated = new LongAdder();
    private final LongAdder forbidden = new LongAdder();

    public void unauthenticated() {
        unauthenticated.increment();
    }

    public void forbidden() {
        forbidden.increment();
    }

    /** The counters in the Prometheus text format. */
    public String prometheus() {
        return "# HELP longhorn_api_refused_requests_total API and UI requests refused: without a valid token"
                + " (unauthenticated, 401) or without the permission (forbidden, 403)\n"
                + "# TYPE longhorn_api_refused_requests_total counter\n"
                + "longhorn_api_refused_requests_total{reason=\"unauthenticated\"} " + unauthenticated.sum() + "\n"
                + "longhorn_api_refused_requests_total{reason=\"forbidden\"} " + forbidden.sum() + "\n";
    }
}
