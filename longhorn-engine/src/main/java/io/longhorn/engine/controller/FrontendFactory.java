package io.longhorn.engine.controller;

import io.longhorn.engine.frontend.BlockDevice;
import io.longhorn.engine.frontend.Frontend;

/** Creates the frontend that serves a volume's device; a new one each time the frontend starts. */
@FunctionalInterface
public interface FrontendFactory {

    /** "nbd", or "none" for an engine without a frontend. */
    default String kind() {
        return "nbd";
    }

    Frontend create(BlockDevice device);

    /** An engine that serves no clients (control API only). */
    FrontendFactory NONE = new FrontendFactory() {
        @Override
        public String kind() {
            return "none";
        }

        @Override
        public Frontend create(BlockDevice device) {
            return null;
        }
    };
}
