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
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        List<Found> found = probe(addresses, connector, background);
        List<StartupRule.Observation> observations = new ArrayList<>();
        for (Found f : found) {
            observations.add(f.info() == null ? StartupRule.Observation.unreachable(f.address(), f.error())
                    : StartupRule.Observation.of(f.address(), f.info()));
        }
        StartupRule.Plan plan = StartupRule.plan(observations);
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

    /** Asks every replica for its state and connects its data path, all at once. */
    private static List<Found> probe(List<Address> addresses, ReplicaConnector connector, ExecutorService background) {
        List<CompletableFuture<Found>> futures = new ArrayList<>();
        for (Address a : addresses) {
            futures.add(CompletableFuture.supplyAsync(() -> {
                ReplicaControl control = connector.control(a);
                ReplicaInfo info;
                try {
                    info = control.info();
                } catch (RuntimeException e) {
                    return new Found(a.toString(), control, null, null, e.getMessage());
                }
                try {
                    return new Found(a.toString(), control, info, connector.data(a, info), null);
                } catch (IOException e) {
                    return new Found(a.toString(), control, null, null, e.getMessage());
                }
            }, background));
        }
        return futures.stream().map(CompletableFuture::join).toList();
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
