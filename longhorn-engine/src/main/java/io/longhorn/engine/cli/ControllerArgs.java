package io.longhorn.engine.cli;

import io.longhorn.api.types.Address;
import io.longhorn.api.types.Durations;
import io.longhorn.api.types.Names;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flags of {@code longhorn-engine controller}.
 *
 * @param listen         gRPC control address
 * @param frontend       "nbd" or "none"
 * @param nbdListen      NBD TCP address, or null when the export is served only on {@code nbdSocket}
 * @param nbdSocket      NBD Unix socket, or null
 * @param replicaTimeout how long a replica may leave a request unanswered
 * @param replicas       replica control addresses
 * @param volume         the volume name
 * @param minGeneration  the lowest generation the volume may serve from (0: unknown)
 * @param salvage        serve from the best remaining replicas even when they are behind
 * @param secretFile     the volume's secret file, or null
 * @param replicaWait    how long to wait at start for replicas that do not answer yet (zero: ask once)
 */
public record ControllerArgs(Address listen, String frontend, Address nbdListen, Path nbdSocket, Duration replicaTimeout,
                             List<String> replicas, String volume, long minGeneration, boolean salvage,
                             Path secretFile, Duration replicaWait) {

    /** The {@code --nbd-listen} value that serves the export on its Unix socket only. */
    public static final String NO_TCP = "none";

    public static final String USAGE = """
            Usage: longhorn-engine controller [--listen HOST:PORT] [--frontend nbd|none]
                                              [--nbd-listen HOST:PORT|none] [--nbd-socket PATH]
                                              [--replica-timeout 8s] [--replica-wait 0s]
                                              [--min-generation N] [--salvage] [--secret-file PATH]
                                              --replica tcp://HOST:PORT ... VOLUME

            Serves VOLUME over the given replicas (their control addresses, most preferred first).

              --listen HOST:PORT        gRPC control address (default 127.0.0.1:9501; port 0 picks a free one)
              --frontend nbd|none       serve the volume over NBD (default) or not at all
              --nbd-listen HOST:PORT    NBD address (default 127.0.0.1:10809, loopback only; port 0 picks a
                                        free one). Give 0.0.0.0 only where clients on other hosts must
                                        reach the export: NBD itself has no authentication.
                                        "none" serves the export only on --nbd-socket.
              --nbd-socket PATH         also serve NBD on this Unix socket (created mode 0600)
              --replica-timeout DUR     a replica that leaves a request unanswered this long is set
                                        to ERR (default 8s)
              --replica-wait DUR        at start, keep asking a replica that does not answer yet (its
                                        process may still be starting) for this long before it
                                        counts as unreachable (default 0s: ask once). The start rule
                                        is the same either way; only when it is applied changes.
              --replica ADDR            a replica's control address; repeat for each replica
              --min-generation N        the volume's last generation (as the manager saw it): refuse
                                        to serve from replicas below it (default 0: unknown)
              --salvage                 serve from the best remaining replicas even when they are
                                        behind the others or --min-generation; what they missed is lost
              --secret-file PATH        the volume's secret: 32 bytes, mode 0600 (or 0400). The engine
                                        proves it to every replica (and requires the replica to prove it
                                        back) and requires it of every control call; the secret never
                                        crosses the wire. The manager always gives one. Without it the
                                        engine talks only to replicas started without one, and anyone
                                        who reaches its control port may drive it: for engines run by hand.

            Prints "engine ready: control=HOST:PORT nbd=nbd://HOST:PORT/VOLUME" once it serves.
            Exit codes: 0 after a clean shutdown, 1 when the volume cannot start, 2 on bad arguments.""";

    public static ControllerArgs parse(List<String> args) throws UsageException {
        String listen = "127.0.0.1:9501";
        String frontend = "nbd";
        String nbdListen = "127.0.0.1:10809";
        String nbdSocket = null;
        String timeout = "8s";
        String wait = "0s";
        String minGeneration = "0";
        boolean salvage = false;
        List<String> replicas = new ArrayList<>();
        String volume = null;
        String secretFile = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--salvage")) {
                salvage = true;
                continue;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (!name.startsWith("-")) {
                if (volume != null) {
                    throw new UsageException("unexpected argument \"" + a + "\": the volume is already " + volume);
                }
                volume = a;
                continue;
            }
            if (!List.of("--listen", "--frontend", "--nbd-listen", "--nbd-socket", "--replica-timeout", "--replica",
                    "--replica-wait", "--min-generation", "--secret-file").contains(name)) {
                throw new UsageException("unknown option " + name);
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(name + " needs a value");
                }
                value = args.get(++i);
            }
            switch (name) {
                case "--listen" -> listen = value;
                case "--frontend" -> frontend = value;
                case "--nbd-listen" -> nbdListen = value;
                case "--nbd-socket" -> nbdSocket = value;
                case "--replica-timeout" -> timeout = value;
                case "--replica-wait" -> wait = value;
                case "--min-generation" -> minGeneration = value;
                case "--secret-file" -> {
                    if (value.isBlank()) {
                        throw new UsageException("--secret-file needs a path");
                    }
                    secretFile = value;
                }
                default -> replicas.add(value);
            }
        }
        if (volume == null) {
            throw new UsageException("no volume name given");
        }
        try {
            Names.requireVolumeName(volume);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (replicas.isEmpty()) {
            throw new UsageException("no replica given: add --replica tcp://HOST:PORT for each replica");
        }
        for (String r : replicas) {
            Address ra = address("--replica", r);
            if (ra.isUnix()) {
                throw new UsageException("--replica " + r + ": the control address must be tcp://HOST:PORT");
            }
        }
        if (!frontend.equals("nbd") && !frontend.equals("none")) {
            throw new UsageException("--frontend " + frontend + ": use nbd or none");
        }
        Duration d;
        try {
            d = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--replica-timeout: " + e.getMessage());
        }
        Duration replicaWait;
        try {
            // Zero is allowed here (ask once), unlike for the timeouts.
            replicaWait = Durations.parseZeroOrPositive(wait);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--replica-wait: " + e.getMessage());
        }
        long minGen;
        try {
            minGen = Long.parseLong(minGeneration);
        } catch (NumberFormatException e) {
            throw new UsageException("--min-generation " + minGeneration + ": not a number");
        }
        if (minGen < 0) {
            throw new UsageException("--min-generation " + minGeneration + ": must not be negative");
        }
        Address l = address("--listen", listen);
        Address n = null;
        if (NO_TCP.equals(nbdListen)) {
            if (nbdSocket == null && frontend.equals("nbd")) {
                throw new UsageException("--nbd-listen none needs --nbd-socket: the export must be served somewhere");
            }
        } else {
            n = address("--nbd-listen", nbdListen);
        }
        if (l.isUnix() || (n != null && n.isUnix())) {
            throw new UsageException((l.isUnix() ? "--listen" : "--nbd-listen") + " must be HOST:PORT; use --nbd-socket for a Unix socket");
        }
        return new ControllerArgs(l, frontend, n, nbdSocket == null ? null : Path.of(nbdSocket), d, List.copyOf(replicas),
                volume, minGen, salvage, secretFile == null ? null : Path.of(secretFile).toAbsolutePath(), replicaWait);
    }

    private static Address address(String flag, String value) throws UsageException {
        try {
            return Address.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }

    /** The engine's configuration properties for these flags, with the control port made concrete. */
    public Map<String, String> properties(Address control) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("longhorn.engine.volume", volume);
        p.put("longhorn.engine.replicas", String.join(",", replicas));
        p.put("longhorn.engine.frontend", frontend);
        p.put("longhorn.engine.nbd-listen", nbdListen == null ? NO_TCP : nbdListen.hostPort());
        if (nbdSocket != null) {
            p.put("longhorn.engine.nbd-socket", nbdSocket.toString());
        }
        p.put("longhorn.engine.replica-timeout", replicaTimeout.toString());
        p.put("longhorn.engine.replica-wait", replicaWait.toString());
        p.put("longhorn.engine.min-generation", Long.toString(minGeneration));
        p.put("longhorn.engine.salvage", Boolean.toString(salvage));
        if (secretFile != null) {
            p.put("longhorn.engine.secret-file", secretFile.toString());
        }
        p.put("longhorn.engine.listen", control.hostPort());
        p.put("quarkus.grpc.server.host", control.host());
        p.put("quarkus.grpc.server.port", Integer.toString(control.port()));
        return p;
    }
}
