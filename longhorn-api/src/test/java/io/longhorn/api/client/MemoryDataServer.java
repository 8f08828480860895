package io.longhorn.api.client;

import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Frame;
import io.longhorn.api.wire.FrameConnection;
import io.longhorn.api.wire.MessageType;
import io.longhorn.api.wire.ProtocolException;
import io.longhorn.api.wire.WireStatus;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A data server we own for testing the client: a byte array volume, replies sent back in reverse
 * order of arrival in groups of {@link #replyGroup}, errors on command, and a way to drop every
 * connection.
 */
final class MemoryDataServer implements AutoCloseable {
    final byte[] volume;
    final ServerSocketChannel server;
    final Address address;
    final List<FrameConnection> connections = new CopyOnWriteArrayList<>();
    final Thread acceptor;
    volatile int replyGroup = 1;
    /** When set, requests touching this offset fail with EIO and this message. */
    volatile long failOffset = -1;
    volatile boolean swallowRequests;

    MemoryDataServer(int size, Path unixSocket) throws IOException {
        volume = new byte[size];
        if (unixSocket != null) {
            Files.deleteIfExists(unixSocket);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(unixSocket));
            address = Address.unix(unixSocket);
        } else {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            address = Address.tcp("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort());
        }
        acceptor = Thread.ofPlatform().daemon().start(this::accept);
    }

    private void accept() {
        try {
            while (true) {
                SocketChannel ch = server.accept();
                Conn handler = new Conn();
                handler.connection = FrameConnection.create(ch, "test client", handler);
                connections.add(handler.connection);
                handler.connection.start();
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Closes every accepted connection, first waiting (up to 10 s) until at least one was accepted. */
    void dropConnections() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connections.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        connections.forEach(FrameConnection::close);
    }

    @Override
    public void close() throws IOException {
        server.close();
        connections.forEach(FrameConnection::close);
    }

    private final class Conn implements FrameConnection.Handler {
        private final List<Runnable> held = new ArrayList<>();
        FrameConnection connection;

        @Override
        public ByteBuffer payloadBuffer(Frame frame) {
            return ByteBuffer.allocate(frame.payloadLength());
        }

        @Override
        public void onFrame(Frame f, ByteBuffer payload) throws ProtocolException {
            if (f.reply()) {
                throw new ProtocolException("reply frame from a client");
            }
            if (f.type() == MessageType.HELLO) {
                connection.send(Frame.ok(f, 0), null, null);
                return;
            }
            if (swallowRequests) {
                return;
            }
            FrameConnection c = connection;
            Runnable reply;
            long fo = failOffset;
            if (fo >= f.offset() && fo < f.offset() + Math.max(1, f.length())) {
                byte[] msg = ("disk on fire at " + fo).getBytes(StandardCharsets.UTF_8);
                reply = () -> c.send(Frame.error(f, WireStatus.EIO, msg.length), ByteBuffer.wrap(msg), null);
            } else {
                int off = (int) f.offset();
                switch (f.type()) {
                    case WRITE -> payload.flip().get(volume, off, f.length());
                    case WRITE_ZEROES, UNMAP -> java.util.Arrays.fill(volume, off, off + f.length(), (byte) 0);
                    default -> {
                    }
                }
                if (f.type() == MessageType.READ) {
                    ByteBuffer data = ByteBuffer.wrap(java.util.Arrays.copyOfRange(volume, off, off + f.length()));
                    reply = () -> c.send(Frame.ok(f, f.length()), data.slice(), null);
                } else {
                    reply = () -> c.send(Frame.ok(f, 0), null, null);
                }
            }
            held.add(reply);
            if (held.size() >= replyGroup) {
                for (int i = held.size() - 1; i >= 0; i--) {
                    held.get(i).run();
                }
                held.clear();
            }
        }

        @Override
        public void onClosed(Throwable cause) {
        }
    }
}
