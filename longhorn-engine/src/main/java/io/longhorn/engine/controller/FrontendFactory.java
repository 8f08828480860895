package io.longhorn.engine.controller;

import io.longhorn.engine.frontend.BlockDevice;
import io.longhorn.engine.frontend.Frontend;
import io.longhorn.engine.frontend.IoStats;

/** Creates the frontend that serves a volume's device; a new one each time the frontend starts. */
@FunctionalInterface
public interface FrontendFactory {

    /** "nbd", or "none" for an engine without a frontend. */
    default String kind() {
        return "nbd";
    }

    /**
     * A frontend serving {@code device} that counts the requests it serves in {@code stats}, the
     * volume's counters (shared by every frontend the volume has over its life).
     */
    Frontend create(BlockDevice device, IoStats stats);

    /** An engine that serves no clients (control API only). */
    FrontendFactory NONE = new FrontendFactory() {
        @Override
        public String kind() {
            return "none";
        }

        @Override
        public Frontend create(BlockDevice device, IoStats stats) {
            return null;
        }
    };
}
