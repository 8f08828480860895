package io.longhorn.replica.server;

import io.longhorn.api.wire.Frame;
import io.longhorn.api.wire.FrameConnection;
import io.longhorn.api.wire.MessageType;
import io.longhorn.api.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.jboss.logging.Logger;

/**
 * One client connection of the data server: decodes requests on the connection's I/O thread and
 * hands each to the worker pool, which replies when the store is done. Replies therefore leave in
 * completion order, not arrival order; the client matches them by id.
 */
final class DataConnection implements FrameConnection.Handler {
    private static final Logger LOG = Logger.getLogger(DataConnection.class);

    private final DataServer server;
    private final String peer;
    private FrameConnection connection;

    DataConnection(DataServer server, String peer) {
        this.server = server;
        this.peer = peer;
    }

    void attach(FrameConnection c) {
        this.connection = c;
    }

    FrameConnection connection() {
        return connection;
    }

    @Override
    public ByteBuffer payloadBuffer(Frame frame) throws ProtocolException {
        requireRequest(frame);
        return server.buffers().acquire(frame.payloadLength());
    }

    @Override
    public void onFrame(Frame frame, ByteBuffer payload) throws ProtocolException {
        requireRequest(frame);
        if (frame.type() == MessageType.WRITE) {
            payload.flip();
        }
        DataRequest request = new DataRequest(server, connection, frame, payload);
        Executor workers = server.workers();
        try {
            workers.execute(request);
        } catch (RejectedExecutionException e) {
            // The server is shutting down: the connection goes with it.
            server.buffers().release(payload);
            connection.close();
        }
    }

    private void requireRequest(Frame frame) throws ProtocolException {
        if (frame.reply()) {
            throw new ProtocolException("unexpected reply frame " + frame.id() + " (" + frame.type() + ") from a client");
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        server.forget(this);
        if (cause == null || cause instanceof FrameConnection.PeerClosedException) {
            LOG.debugf("%s: data connection from %s closed", server.target().describe(), peer);
        } else if (cause instanceof ProtocolException) {
            LOG.warnf("%s: closing data connection from %s: %s", server.target().describe(), peer, cause.getMessage());
        } else {
            LOG.warnf("%s: data connection from %s failed: %s", server.target().describe(), peer, cause.toString());
        }
    }
}
