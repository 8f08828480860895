package io.longhorn.engine.frontend.nbd;

import java.io.IOException;

/** The client broke the handshake protocol; its connection is closed, nothing else is affected. */
final class HandshakeException extends IOException {

    HandshakeException(String message) {
        super(message);
    }
}
