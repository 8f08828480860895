package io.longhorn.csi;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.longhorn.csi.v1.ControllerGrpc;
import io.longhorn.csi.v1.GroupControllerGrpc;
import io.longhorn.csi.v1.IdentityGrpc;
import io.longhorn.csi.v1.NodeGrpc;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The driver's gRPC server on a Unix socket (Identity, Controller, Node) and, when asked for, a
 * small HTTP server answering {@code GET /healthz}: 200 while the manager answers, 503 otherwise.
 */
public final class CsiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CsiServer.class);

    private final Server grpc;
    private final HttpServer health;
    private final EpollEventLoopGroup boss;
    private final EpollEventLoopGroup workers;
    private final Path socket;

    private CsiServer(Server grpc, HttpServer health, EpollEventLoopGroup boss, EpollEventLoopGroup workers, Path socket) {
        this.grpc = grpc;
        this.health = health;
        this.boss = boss;
        this.workers = workers;
        this.socket = socket;
    }

    public static CsiServer start(CsiOptions o) throws IOException {
        return start(o, new LocalNodeHost());
    }

    /**
     * Serves with {@code node} as the machine whose block devices and mounts the Node service
     * manages (this host in production; {@code --state-dir} is a path on that machine).
     */
    public static CsiServer start(CsiOptions o, NodeHost node) throws IOException {
        ManagerClient manager = new ManagerClient(o.managerUrl(), o.managerTokenFile());
        BlockDevices devices = new BlockDevices(node, o.stateDir(), BlockDevices.kernelNbdAvailable(node));
        node.createDirectories(o.stateDir());
        Path socket = o.socket();
        Files.createDirectories(socket.toAbsolutePath().getParent());
        Files.deleteIfExists(socket);
        EpollEventLoopGroup boss = new EpollEventLoopGroup(1);
        EpollEventLoopGroup workers = new EpollEventLoopGroup(2);
        Server grpc = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss).workerEventLoopGroup(workers)
                .addService(IdentityGrpc.bindService(new IdentityService(true, () -> managerAnswers(manager))))
                .addService(ControllerGrpc.bindService(new ControllerService(manager)))
                .addService(NodeGrpc.bindService(new NodeService(o.nodeId(), manager, devices)))
                .addService(GroupControllerGrpc.bindService(new GroupControllerService()))
                .build().start();
        HttpServer health = null;
        if (o.healthListen() != null) {
            health = HttpServer.create(o.healthListen(), 8);
            health.createContext("/healthz", ex -> {
                boolean ok = managerAnswers(manager);
                byte[] body = (ok ? "ok\n" : "the Longhorn manager does not answer\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(ok ? 200 : 503, body.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body);
                }
            });
            health.start();
        }
        LOG.infof("%s serving on unix://%s for node %s (manager %s, %s, %s block devices)%s",
                IdentityService.DRIVER_NAME, socket, o.nodeId(), o.managerUrl(), o.managerTokenFile()
                        .map(f -> "token from " + f).orElse("no token"),
                devices.kernel() ? "kernel NBD" : "userspace FUSE + loop",
                health == null ? "" : ", health on " + health.getAddress());
        return new CsiServer(grpc, health, boss, workers, socket);
    }

    static boolean managerAnswers(ManagerClient manager) {
        try {
            manager.nodes();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public InetSocketAddress healthAddress() {
        return health == null ? null : health.getAddress();
    }

    @Override
    public void close() throws InterruptedException {
        if (health != null) {
            health.stop(0);
        }
        grpc.shutdown();
        if (!grpc.awaitTermination(10, TimeUnit.SECONDS)) {
            grpc.shutdownNow();
        }
        boss.shutdownGracefully();
        workers.shutdownGracefully();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warnf("cannot remove %s: %s", socket, e.getMessage());
        }
    }
}
