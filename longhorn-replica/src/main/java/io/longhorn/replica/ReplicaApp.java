package io.longhorn.replica;

import io.longhorn.replica.control.ServedReplica;
import io.longhorn.replica.server.BlockTarget;
import io.longhorn.replica.server.DataServer;
import io.longhorn.replica.store.Replica;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

/**
 * The running replica: starts the data server over the store {@link ReplicaMain} opened, publishes
 * both to the control service, prints the ready line and waits. At shutdown (SIGTERM, SIGINT) it
 * stops the data server first, so no write is in flight, then closes the store, which fsyncs the
 * head and marks the replica clean. After a Delete call the process exits by itself (status 0, or
 * 1 when not every file could be removed).
 */
public class ReplicaApp implements QuarkusApplication {
    private static final Logger LOG = Logger.getLogger(ReplicaApp.class);

    @Inject
    ServedReplica served;

    private static volatile DataServer dataServer;
    private static final AtomicBoolean stopped = new AtomicBoolean();
    private static volatile int exitCode;

    @Override
    public int run(String... args) {
        ReplicaMain.Launch launch = ReplicaMain.launch();
        ReplicaOptions o = launch.options();
        Replica replica = launch.replica();
        served.protect(launch.secret(), "replica " + replica.directory());
        try {
            dataServer = DataServer.start(BlockTarget.of(replica), new DataServer.Options(
                    new InetSocketAddress(o.dataListen().host(), o.dataListen().port()), o.dataSocket(),
                    DataServer.Options.defaultWorkers()), launch.secret());
        } catch (IOException e) {
            System.err.println("longhorn-replica: " + e.getMessage());
            stop();
            return ReplicaMain.EXIT_FAILED;
        }
        InetSocketAddress data = dataServer.tcpAddress();
        String dataAddress = "tcp://" + hostPort(o.dataListen().host(), data.getPort());
        String socket = o.dataSocket() == null ? "" : o.dataSocket().toString();
        served.onDelete(() -> dataServer.close(), ok -> {
            System.out.println("replica deleted: dir=" + replica.directory() + (ok ? "" : " (not every file could be removed)"));
            System.out.flush();
            exitCode = ok ? 0 : ReplicaMain.EXIT_FAILED;
            Quarkus.asyncExit(exitCode);
        });
        served.onRecordGeneration((generation, engine) -> dataServer.recordGeneration(generation, engine));
        served.publish(replica, dataAddress, socket);
        served.onRefusals(() -> dataServer.refusals());
        if (launch.secret() == null) {
            LOG.warnf("replica %s: started without --secret-file: anyone who reaches its ports may read and write it",
                    replica.directory());
        }
        String ready = "replica ready: control=" + hostPort(launch.control().host(), launch.control().port())
                + " data=" + dataAddress + (socket.isEmpty() ? "" : " socket=" + socket)
                + " dir=" + replica.directory() + " size=" + replica.size();
        System.out.println(ready);
        System.out.flush();
        Quarkus.waitForExit();
        stop();
        return exitCode;
    }

    /** Runs while Quarkus stops, also when a signal ends the process. */
    void onShutdown(@Observes ShutdownEvent event) {
        served.withdraw();
        stop();
    }

    private static void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        DataServer ds = dataServer;
        if (ds != null) {
            ds.close();
        }
        ReplicaMain.Launch launch = ReplicaMain.launch();
        if (launch != null) {
            launch.replica().close();
            LOG.infof("replica %s: closed", launch.replica().directory());
        }
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
