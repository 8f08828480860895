package io.longhorn.engine.controller;

import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.types.Address;
import io.longhorn.api.types.Names;
import io.longhorn.engine.backend.ReplicaConnector;
import io.longhorn.engine.backend.ReplicaControl;
import io.longhorn.engine.backend.ReplicaDataPath;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Starts a volume over the replicas it is given: asks each for its state, applies
 * {@link StartupRule}, records the new generation on the RW replicas, and starts the resync of
 * replicas that may differ. The frontend is started separately, once the caller is ready.
 */
public final class VolumeStarter {

    private static final Logger LOG = Logger.getLogger(VolumeStarter.class);

    private VolumeStarter() {
    }

    /** One replica as found at start. */
    private record Found(String address, ReplicaControl control, ReplicaInfo info, ReplicaDataPath data, String error) {
    }

    /**
     * @throws VolumeException INVALID_ARGUMENT for bad options, UNAVAILABLE when no replica can serve
     */
    public static VolumeController start(EngineOptions options, ReplicaConnector connector, FrontendFactory frontends) {
        String volume = validVolume(options.volume());
        List<Address> addresses = validAddresses(options.replicas());
        Duration timeout = options.replicaTimeout();
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw VolumeException.invalid("invalid replica timeout " + timeout + ": must be positive");
        }
        if (options.minGeneration() < 0) {
            throw VolumeException.invalid("invalid minimum generation " + options.minGeneration() + ": must not be negative");
        }
        Duration wait = options.replicaWait() == null ? Duration.ZERO : options.replicaWait();
        if (wait.isNegative()) {
            throw VolumeException.invalid("invalid replica wait " + wait + ": must not be negative");
        }
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        List<Found> found = probe(addresses, connector, background, wait);
        StartupRule.Plan plan;
        while (true) {
            List<StartupRule.Observation> observations = new ArrayList<>();
            for (Found f : found) {
                observations.add(f.info() == null ? StartupRule.Observation.unreachable(f.address(), f.error())
                        : StartupRule.Observation.of(f.address(), f.info()));
            }
            plan = StartupRule.plan(observations, options.minGeneration(), options.salvage());
            if (!plan.refused().isEmpty()) {
                closeFound(found, background);
                throw new VolumeException(VolumeException.Kind.UNAVAILABLE, "volume " + volume
                        + ": refusing to serve stale data: " + plan.refused() + ". Bring the replicas with the newer"
                        + " generation back, or start with --salvage to serve the best remaining ones and lose what"
                        + " they missed");
            }
            List<Found> next = connectData(found, plan, connector, background);
            boolean changed = false;
            for (int i = 0; i < found.size(); i++) {
                changed |= next.get(i).info() != null && !next.get(i).info().getError().equals(found.get(i).info().getError());
            }
            found = next;
            if (!changed) {
                break;
            }
            // A replica that was to serve could not connect its data path: it is ERR now (its
            // generation still counts), and the others are judged again.
        }
        if (!plan.salvaged().isEmpty()) {
            LOG.warnf("volume %s: SALVAGE: serving although %s", volume, plan.salvaged());
        }
        List<Member> members = new ArrayList<>();
        List<Member> resync = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            Found f = found.get(i);
            StartupRule.Decision d = plan.decisions().get(i);
            String dataAddress = f.data() == null ? "" : f.data().address();
            Member m = switch (d.role()) {
                case RW -> new Member(f.address(), dataAddress, f.control(), f.data(), ReplicaMode.RW, d.generation());
                case RESYNC -> new Member(f.address(), dataAddress, f.control(), f.data(), ReplicaMode.WO, d.generation());
                case ERR -> {
                    if (f.data() != null) {
                        f.data().close();
                    }
                    Member err = new Member(f.address(), dataAddress, f.control(), null, ReplicaMode.ERR, d.generation());
                    err.error(d.reason());
                    yield err;
                }
            };
            members.add(m);
            if (d.role() == StartupRule.Role.RESYNC) {
                resync.add(m);
            }
            LOG.infof("volume %s: replica %s generation %d: %s%s", volume, f.address(), d.generation(), d.role(),
                    d.reason().isEmpty() ? "" : " (" + d.reason() + ")");
        }
        if (!plan.hasRw()) {
            closeAll(members, background);
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, "volume " + volume + " has no replica that can serve: "
                    + String.join("; ", plan.decisions().stream().map(d -> d.address() + ": " + d.reason()).toList()));
        }
        ReplicaSet set = new ReplicaSet(volume, members, plan.generation(), background);
        try {
            set.recordGeneration(plan.generation()).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            closeAll(members, background);
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, "volume " + volume
                    + ": cannot record generation " + plan.generation() + " on its replicas: " + e, e);
        }
        if (!set.current().hasReaders()) {
            closeAll(members, background);
            throw new VolumeException(VolumeException.Kind.UNAVAILABLE, "volume " + volume
                    + " has no replica that can serve: none could record generation " + plan.generation());
        }
        VolumeController controller = new VolumeController(volume, set, new IoGate(), plan.size(), connector, background,
                timeout, frontends);
        controller.salvaged(plan.salvaged());
        LOG.infof("volume %s: started with %d bytes at generation %d, %d of %d replicas RW", volume, plan.size(),
                plan.generation(), set.current().readers().length, members.size());
        if (!resync.isEmpty()) {
            LOG.infof("volume %s: the last engine did not shut down cleanly; resynchronising %d replicas from %s",
                    volume, resync.size(), plan.source());
            try {
                controller.rebuilds.resync(resync);
            } catch (RuntimeException e) {
                LOG.errorf("volume %s: cannot start the resync: %s", volume, e.getMessage());
                for (Member m : resync) {
                    set.fail(m, "resync could not start: " + e.getMessage());
                }
            }
        }
        return controller;
    }

    private static String validVolume(String volume) {
        try {
            return Names.requireVolumeName(volume);
        } catch (IllegalArgumentException e) {
            throw VolumeException.invalid(e.getMessage());
        }
    }

    private static List<Address> validAddresses(List<String> replicas) {
        if (replicas == null || replicas.isEmpty()) {
            throw VolumeException.invalid("no replica given: name at least one with --replica tcp://host:port");
        }
        Set<String> seen = new LinkedHashSet<>();
        List<Address> out = new ArrayList<>();
        for (String r : replicas) {
            Address a;
            try {
                a = Address.parse(r);
            } catch (IllegalArgumentException e) {
                throw VolumeException.invalid("invalid replica: " + e.getMessage());
            }
            if (a.isUnix()) {
                throw VolumeException.invalid("invalid replica \"" + r + "\": the control address must be tcp://host:port");
            }
            if (!seen.add(a.toString())) {
                throw VolumeException.invalid("replica " + a + " is given twice");
            }
            out.add(a);
        }
        return out;
    }

    /**
     * Asks every replica for its state, all at once. With a wait, a replica that does not answer
     * yet (refused connection, or a replica process that does not serve yet) is asked again until
     * it answers or the wait is over; then it counts as unreachable, exactly as one that did not
     * answer the single question without a wait. Nothing else changes: the start rule sees the
     * same observations, only later.
     */
    private static List<Found> probe(List<Address> addresses, ReplicaConnector connector, ExecutorService background,
                                     Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        List<CompletableFuture<ReplicaWait.Answer>> futures = new ArrayList<>();
        for (Address a : addresses) {
            futures.add(CompletableFuture.supplyAsync(() -> ReplicaWait.ask(a, connector, deadline, wait),
                    background));
        }
        return futures.stream().map(f -> {
            ReplicaWait.Answer answer = f.join();
            return new Found(answer.address(), answer.control(), answer.info(), null, answer.error());
        }).toList();
    }

    /**
     * Connects the data path of every replica the plan lets serve, all at once, announcing the
     * plan's generation (above every one recorded so far, so the replicas admit it). A replica
     * that cannot connect comes back with an error in its state.
     */
    private static List<Found> connectData(List<Found> found, StartupRule.Plan plan, ReplicaConnector connector,
                                           ExecutorService background) {
        List<CompletableFuture<Found>> futures = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            Found f = found.get(i);
            StartupRule.Role role = plan.decisions().get(i).role();
            if (f.data() != null || f.info() == null || role == StartupRule.Role.ERR) {
                futures.add(CompletableFuture.completedFuture(f));
                continue;
            }
            futures.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new Found(f.address(), f.control(), f.info(),
                            connector.data(Address.parse(f.address()), f.info(), plan.generation()), null);
                } catch (IOException e) {
                    ReplicaInfo failed = f.info().toBuilder().setError("cannot connect its data path: " + e.getMessage())
                            .build();
                    return new Found(f.address(), f.control(), failed, null, null);
                }
            }, background));
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private static void closeFound(List<Found> found, ExecutorService background) {
        for (Found f : found) {
            if (f.data() != null) {
                f.data().close();
            }
            f.control().close();
        }
        background.shutdownNow();
    }

    private static void closeAll(List<Member> members, ExecutorService background) {
        for (Member m : members) {
            if (m.data() != null) {
                m.data().close();
            }
            m.control().close();
        }
        background.shutdownNow();
    }
}
