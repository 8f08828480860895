package io.longhorn.engine.controller;

import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.types.Address;
import io.longhorn.engine.backend.ReplicaConnector;
import io.longhorn.engine.backend.ReplicaControl;
import io.longhorn.engine.backend.ReplicaControlException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The first question to a replica at start, asked again while the replica does not answer yet and
 * the wait lasts. An engine may be started together with its replicas (so that the JVMs start in
 * parallel): a replica whose port refuses connections, or whose process does not serve yet
 * (it answers UNAVAILABLE until its store is open and its data server runs), is then only late.
 * Any other answer, an error included, is final at once, and a replica that is still silent when
 * the wait is over is unreachable, as without a wait.
 */
final class ReplicaWait {
    private static final Logger LOG = Logger.getLogger(ReplicaWait.class);
    /** Between two tries; a plain connect on loopback costs microseconds, so this bounds the lag. */
    private static final long RETRY_MILLIS = 20;
    private static final int CONNECT_MILLIS = 250;

    private ReplicaWait() {
    }

    /** What the replica said, or why it said nothing ({@code info} null). */
    record Answer(String address, ReplicaControl control, ReplicaInfo info, String error) {
    }

    /**
     * @param deadline {@link System#nanoTime()} after which a silent replica is unreachable
     * @param wait     the whole wait, for the message (zero: ask once)
     */
    static Answer ask(Address address, ReplicaConnector connector, long deadline, Duration wait) {
        ReplicaControl control = connector.control(address);
        boolean waited = false;
        while (true) {
            RuntimeException lastError;
            try {
                ReplicaInfo info = control.info();
                if (waited) {
                    LOG.infof("replica %s answers", address);
                }
                return new Answer(address.toString(), control, info, null);
            } catch (RuntimeException e) {
                lastError = e;
                if (!notServingYet(e) || System.nanoTime() - deadline >= 0) {
                    String why = e.getMessage() + (waited ? " (still after waiting " + wait.toMillis() + " ms)" : "");
                    return new Answer(address.toString(), control, null, why);
                }
            }
            if (!waited) {
                LOG.infof("replica %s does not answer yet; waiting up to %d ms for it", address, wait.toMillis());
                waited = true;
            }
            if (connected(lastError)) {
                // The replica's server answered (it does not serve yet): ask again on the same channel.
                if (!pause()) {
                    return new Answer(address.toString(), control, null, "interrupted while waiting for it to answer");
                }
                continue;
            }
            // A gRPC channel whose connection was refused backs off (about a second) before it
            // tries again: wait on a plain connect, then ask over a fresh channel. The last
            // question, at the deadline, gives the final answer.
            control.close();
            if ((!pause() || !awaitPort(address, deadline)) && Thread.currentThread().isInterrupted()) {
                return new Answer(address.toString(), connector.control(address), null,
                        "interrupted while waiting for it to answer");
            }
            control = connector.control(address);
        }
    }

    /** Whether the failed call reached the replica's server (rather than failing to connect). */
    private static boolean connected(RuntimeException e) {
        return e instanceof ReplicaControlException r && r.answeredUnavailable();
    }

    private static boolean notServingYet(RuntimeException e) {
        return e instanceof ReplicaControlException r && r.reason() == ReplicaControlException.Reason.UNAVAILABLE;
    }

    /** Until the control port accepts a connection (true) or the deadline passes (false). */
    private static boolean awaitPort(Address address, long deadline) {
        while (System.nanoTime() - deadline < 0) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address.host(), address.port()), CONNECT_MILLIS);
                return true;
            } catch (IOException refused) {
                if (!pause()) {
                    return false;
                }
            }
        }
        return false;
    }

    /** False when interrupted. */
    private static boolean pause() {
        try {
            Thread.sleep(RETRY_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
