package io.longhorn.manager.controller.engine;

import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.controller.runtime.Reconciler;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.EngineStatus;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Reconciles an engine resource with its instance. */
public final class EngineController implements Reconciler {
    private static final Logger LOG = Logger.getLogger(EngineController.class);
    public static final String NAME = "engine";

    private final ControllerContext ctx;
    private final EngineMonitor monitor;
    private final RestartBackoff backoff;

    public EngineController(ControllerContext ctx) {
        this.ctx = ctx;
        this.monitor = new EngineMonitor(ctx);
        this.backoff = new RestartBackoff(ctx.clock());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> keys() {
        return ctx.store().list(Engine.class).stream().map(Resources::name).toList();
    }

    @Override
    public Result reconcile(String name) {
        Optional<Engine> found = ctx.store().get(Engine.class, name);
        if (found.isEmpty()) {
            return Result.DONE;
        }
        Engine engine = found.get();
        Optional<InstanceInfo> info = ctx.launcher().inspect(name);
        if (Resources.isDeleting(engine)) {
            ctx.ioRates().forget(engine.getSpec().volumeName);
            if (isUp(info)) {
                ctx.launcher().stop(name);
                return Result.after(Duration.ofMillis(500));
            }
            Writes.removeFinalizer(ctx.store(), engine);
            return Result.DONE;
        }
        engine = Writes.ensureFinalizer(ctx.store(), engine);
        Engine copy = Resources.copy(engine);
        Result result = InstanceState.RUNNING.equals(engine.getSpec().desireState)
                ? running(copy, info)
                : stopped(copy, info);
        Writes.updateStatusIfChanged(ctx.store(), engine, copy);
        return result;
    }

    private Result running(Engine engine, Optional<InstanceInfo> info) {
        String name = Resources.name(engine);
        EngineStatus status = engine.getStatus();
        String state = info.map(InstanceInfo::state).orElse(InstanceState.STOPPED);
        if (!InstanceState.RUNNING.equals(state)) {
            ctx.ioRates().forget(engine.getSpec().volumeName);
        }
        switch (state) {
            case InstanceState.STARTING -> {
                status.currentState = InstanceState.STARTING;
                Optional<String> failed = failedWhileStarting(engine);
                if (failed.isPresent()) {
                    // It would wait for that replica until its wait ends, then start without it: start
                    // it again over the others now (it has served nothing yet).
                    LOG.infof("volume %s: replica %s failed while the engine started; starting the engine "
                            + "again without it", engine.getSpec().volumeName, failed.get());
                    ctx.launcher().stop(name);
                    return Result.after(Duration.ofMillis(500));
                }
                Optional<String> moved = movedWhileStarting(engine);
                if (moved.isPresent()) {
                    // The replica found its port taken and starts again on new ones: the engine would
                    // wait at the old address until its wait ends. Start it again over the new one.
                    LOG.infof("volume %s: replica %s starts again at %s while the engine started; starting the "
                            + "engine again over that address", engine.getSpec().volumeName, moved.get(),
                            engine.getSpec().replicaAddressMap.get(moved.get()));
                    ctx.launcher().stop(name);
                    return Result.after(Duration.ofMillis(500));
                }
                return Result.after(Duration.ofSeconds(2));
            }
            case InstanceState.RUNNING -> {
                InstanceInfo i = info.get();
                if (!InstanceState.RUNNING.equals(status.currentState)) {
                    ctx.events().normal("Engine", name, "Started", "engine of volume " + engine.getSpec().volumeName
                            + " runs at " + i.controlAddress() + (i.endpoint().isEmpty() ? "" : ", serving " + i.endpoint()));
                }
                status.currentState = InstanceState.RUNNING;
                status.ip = i.host();
                status.storageIP = i.host();
                status.port = i.port();
                status.started = true;
                status.ownerID = engine.getSpec().nodeID;
                try {
                    monitor.poll(engine, status, ctx.engines().forAddress(i.controlAddress()));
                    // blockdev: what clients use is the device the launcher connected, not the engine's export.
                    if (!i.device().isEmpty() && !status.endpoint.isEmpty()) {
                        status.endpoint = i.endpoint();
                    }
                    status.frontendDevice = i.device();
                    backoff.succeeded(name);
                } catch (ServiceCallException e) {
                    status.error = e.getMessage();
                    ctx.ioRates().forget(engine.getSpec().volumeName);
                }
                return Result.after(ctx.monitorInterval());
            }
            default -> {
                return start(engine, info);
            }
        }
    }

    private Result start(Engine engine, Optional<InstanceInfo> info) {
        String name = Resources.name(engine);
        EngineStatus status = engine.getStatus();
        if (info.isPresent() && InstanceState.ERROR.equals(info.get().state())) {
            if (!InstanceState.ERROR.equals(status.currentState)) {
                backoff.failed(name);
                ctx.events().warning("Engine", name, "Failed", "engine of volume " + engine.getSpec().volumeName
                        + " failed: " + info.get().error());
            }
            status.currentState = InstanceState.ERROR;
            status.error = info.get().error();
            clearRuntime(status);
        }
        if (engine.getSpec().replicaAddressMap.isEmpty()) {
            status.currentState = InstanceState.STOPPED;
            status.error = "no replica to start the engine with";
            return Result.DONE;
        }
        Duration wait = backoff.remaining(name);
        if (!wait.isZero()) {
            return Result.after(wait);
        }
        Optional<String> stale = staleReplica(engine);
        if (stale.isPresent()) {
            // After a manager restart the map may name addresses of replica processes that are gone
            // (and whose ports another process may have taken): wait for the volume controller to
            // point it at the replicas that run now.
            status.currentState = InstanceState.STOPPED;
            status.error = "waiting for replica " + stale.get() + " to run at the address the engine would use";
            return Result.after(Duration.ofSeconds(1));
        }
        String frontend = engine.getSpec().disableFrontend || engine.getSpec().frontend.isEmpty() ? "none"
                : engine.getSpec().frontend;
        boolean salvage = engine.getSpec().salvageStart;
        if (salvage) {
            LOG.warnf("volume %s: starting the engine as a salvage over %s: it may serve replicas behind generation %d",
                    engine.getSpec().volumeName, engine.getSpec().replicaAddressMap.keySet(), status.generation);
            ctx.events().warning("Volume", engine.getSpec().volumeName, "SalvageStart", "the engine of volume "
                    + engine.getSpec().volumeName + " starts as a salvage over replicas "
                    + engine.getSpec().replicaAddressMap.keySet() + ": writes they missed after generation "
                    + status.generation + " are given up");
        }
        ctx.launcher().start(InstanceRequest.engine(name, engine.getSpec().volumeName, engine.getSpec().nodeID,
                engine.getSpec().volumeSize, List.copyOf(engine.getSpec().replicaAddressMap.values()), frontend,
                status.generation, salvage)
                .withReplicaTimeout((int) ctx.settings().integer(SettingNames.ENGINE_REPLICA_TIMEOUT))
                .withReplicasStarting(starting(engine)));
        status.currentState = InstanceState.STARTING;
        status.currentReplicaAddressMap = new LinkedHashMap<>(engine.getSpec().replicaAddressMap);
        return Result.after(Duration.ofSeconds(2));
    }

    /**
     * A replica in the spec's map that neither runs nor starts at that address now, if any. One
     * that starts there is fine: the engine waits for it to serve (see {@link #starting}). Both the
     * replica's recorded status and the launcher's own view must say so: right after a manager
     * restart the status still shows the processes of before until the replica controller has
     * looked, and an engine started over such an address would find nothing there and fail the
     * replica.
     */
    private Optional<String> staleReplica(Engine engine) {
        for (Map.Entry<String, String> e : engine.getSpec().replicaAddressMap.entrySet()) {
            Optional<Replica> r = ctx.store().get(Replica.class, e.getKey());
            Optional<InstanceInfo> live = ctx.launcher().inspect(e.getKey());
            boolean ok = r.isPresent() && (InstanceState.RUNNING.equals(r.get().getStatus().currentState)
                    || InstanceState.STARTING.equals(r.get().getStatus().currentState))
                    && r.get().getStatus().port > 0
                    && e.getValue().equals("tcp://" + r.get().getStatus().ip + ":" + r.get().getStatus().port)
                    && live.isPresent() && (InstanceState.RUNNING.equals(live.get().state())
                    || InstanceState.STARTING.equals(live.get().state()))
                    && e.getValue().equals("tcp://" + live.get().host() + ":" + live.get().port());
            if (!ok) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /**
     * A replica the starting engine was given that has failed since (its process could not start
     * or died) and that the volume controller took out of the engine's map, if any.
     */
    private Optional<String> failedWhileStarting(Engine engine) {
        for (String r : engine.getStatus().currentReplicaAddressMap.keySet()) {
            if (engine.getSpec().replicaAddressMap.containsKey(r)) {
                continue;
            }
            Optional<Replica> replica = ctx.store().get(Replica.class, r);
            if (replica.isEmpty() || !replica.get().getSpec().failedAt.isEmpty()
                    || InstanceState.ERROR.equals(replica.get().getStatus().currentState)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * A replica the starting engine was given whose address in the spec's map has changed since (the
     * launcher started it again on new ports), if any.
     */
    private Optional<String> movedWhileStarting(Engine engine) {
        for (Map.Entry<String, String> e : engine.getStatus().currentReplicaAddressMap.entrySet()) {
            String now = engine.getSpec().replicaAddressMap.get(e.getKey());
            if (now != null && !now.equals(e.getValue())) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** Whether a replica in the spec's map is still starting (the engine is to wait for it). */
    private boolean starting(Engine engine) {
        return engine.getSpec().replicaAddressMap.keySet().stream()
                .map(n -> ctx.store().get(Replica.class, n))
                .anyMatch(r -> r.isPresent() && InstanceState.STARTING.equals(r.get().getStatus().currentState));
    }

    private Result stopped(Engine engine, Optional<InstanceInfo> info) {
        EngineStatus status = engine.getStatus();
        ctx.ioRates().forget(engine.getSpec().volumeName);
        if (isUp(info)) {
            ctx.launcher().stop(Resources.name(engine));
            status.currentState = InstanceState.STOPPING;
            return Result.after(Duration.ofSeconds(1));
        }
        if (info.isPresent() && InstanceState.ERROR.equals(info.get().state())) {
            ctx.launcher().stop(Resources.name(engine));
        }
        if (!InstanceState.STOPPED.equals(status.currentState)) {
            ctx.events().normal("Engine", Resources.name(engine), "Stopped", "engine of volume "
                    + engine.getSpec().volumeName + " stopped");
        }
        status.currentState = InstanceState.STOPPED;
        status.error = "";
        clearRuntime(status);
        return Result.DONE;
    }

    private static void clearRuntime(EngineStatus status) {
        status.ip = "";
        status.storageIP = "";
        status.port = 0;
        status.started = false;
        status.endpoint = "";
        status.frontendDevice = "";
        status.replicaModeMap = new LinkedHashMap<>();
        status.replicaTransitionTimeMap = new LinkedHashMap<>();
        status.currentReplicaAddressMap = new LinkedHashMap<>();
        status.rebuildStatus = new LinkedHashMap<>();
        status.isExpanding = false;
    }

    /** Running, starting, or still shutting down: its process may still use the replica's files. */
    private static boolean isUp(Optional<InstanceInfo> info) {
        return info.isPresent() && (InstanceState.RUNNING.equals(info.get().state())
                || InstanceState.STARTING.equals(info.get().state())
                || InstanceState.STOPPING.equals(info.get().state()));
    }
}
