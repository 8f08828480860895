package io.longhorn.api.wire;

/**
 * A frame that breaks the protocol: wrong magic or version, unknown type, impossible length. The
 * peer cannot be trusted to be in sync any more, so the connection is closed.
 */
public class ProtocolException extends Exception {
    public ProtocolException(String message) {
        super(message);
    }
}
