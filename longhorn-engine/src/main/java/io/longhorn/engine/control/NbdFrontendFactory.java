package io.longhorn.engine.control;

import io.longhorn.api.types.Address;
import io.longhorn.engine.controller.FrontendFactory;
import io.longhorn.engine.frontend.BlockDevice;
import io.longhorn.engine.frontend.Frontend;
import io.longhorn.engine.frontend.IoStats;
import io.longhorn.engine.frontend.nbd.NbdServer;
import io.longhorn.engine.frontend.nbd.NbdServerOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Creates the volume's NBD server. When asked for port 0 the first server picks a free port, and
 * every later one (after {@code frontend stop} / {@code start}) reuses it, so that clients find
 * the volume where they found it before.
 */
final class NbdFrontendFactory implements FrontendFactory {

    private final String volume;
    private final Path socket;
    private volatile InetSocketAddress tcp;

    NbdFrontendFactory(String volume, Address listen, Path socket) {
        this.volume = volume;
        this.tcp = listen == null ? null : new InetSocketAddress(listen.host(), listen.port());
        this.socket = socket;
    }

    @Override
    public Frontend create(BlockDevice device, IoStats stats) {
        NbdServer server = new NbdServer(device, NbdServerOptions.of(volume, tcp, socket), stats);
        return new Frontend() {
            @Override
            public void start() throws IOException {
                server.start();
                if (server.tcpAddress() != null) {
                    tcp = server.tcpAddress();
                }
            }

            @Override
            public String endpoint() {
                return server.endpoint();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
