package io.longhorn.manager.controller.replica;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.controller.runtime.Reconciler;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.ReplicaSpec;
import io.longhorn.manager.model.ReplicaStatus;
import io.longhorn.manager.store.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles a replica resource with its instance. A replica whose instance died is reported as
 * {@code error} and not restarted here: the volume controller decides (it marks it failed and
 * replaces it).
 */
public final class ReplicaController implements Reconciler {
    public static final String NAME = "replica";

    private final ControllerContext ctx;

    public ReplicaController(ControllerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> keys() {
        return ctx.store().list(Replica.class).stream().map(Resources::name).toList();
    }

    /** The replica's data directory: {@code <diskPath>/replicas/<dataDirectoryName>}. */
    public static String directory(ReplicaSpec spec) {
        return Path.of(spec.diskPath, "replicas", spec.dataDirectoryName).toString();
    }

    @Override
    public Result reconcile(String name) {
        Optional<Replica> found = ctx.store().get(Replica.class, name);
        if (found.isEmpty()) {
            return Result.DONE;
        }
        Replica replica = found.get();
        Optional<InstanceInfo> info = ctx.launcher().inspect(name);
        if (Resources.isDeleting(replica)) {
            return delete(replica, info);
        }
        replica = Writes.ensureFinalizer(ctx.store(), replica);
        Replica copy = Resources.copy(replica);
        Result result = InstanceState.RUNNING.equals(replica.getSpec().desireState)
                ? running(copy, info)
                : stopped(copy, info);
        Writes.updateStatusIfChanged(ctx.store(), replica, copy);
        return result;
    }

    private Result delete(Replica replica, Optional<InstanceInfo> info) {
        if (isUp(info)) {
            ctx.launcher().stop(Resources.name(replica));
            return Result.after(Duration.ofMillis(500));
        }
        ReplicaSpec spec = replica.getSpec();
        if (!spec.diskPath.isEmpty() && !spec.dataDirectoryName.isEmpty()) {
            ctx.launcher().deleteReplicaData(spec.nodeID, directory(spec));
        }
        Writes.removeFinalizer(ctx.store(), replica);
        return Result.DONE;
    }

    private Result running(Replica replica, Optional<InstanceInfo> info) {
        ReplicaStatus status = replica.getStatus();
        ReplicaSpec spec = replica.getSpec();
        if (spec.nodeID.isEmpty() || spec.dataDirectoryName.isEmpty()) {
            status.currentState = InstanceState.STOPPED;
            return Result.DONE;
        }
        String state = info.map(InstanceInfo::state).orElse(InstanceState.STOPPED);
        switch (state) {
            case InstanceState.RUNNING -> {
                InstanceInfo i = info.get();
                status.currentState = InstanceState.RUNNING;
                status.ip = i.host();
                status.storageIP = i.host();
                status.port = i.port();
                status.dataAddress = i.dataAddress();
                status.started = true;
                status.ownerID = spec.nodeID;
                status.error = "";
                return Result.DONE;
            }
            case InstanceState.STARTING -> {
                status.currentState = InstanceState.STARTING;
                startingAddress(status, info.get());
                return Result.after(Duration.ofSeconds(2));
            }
            case InstanceState.ERROR -> {
                if (!InstanceState.ERROR.equals(status.currentState)) {
                    ctx.events().warning("Replica", Resources.name(replica), "Failed", "replica "
                            + Resources.name(replica) + " of volume " + spec.volumeName + " failed: " + info.get().error());
                }
                status.currentState = InstanceState.ERROR;
                status.error = info.get().error();
                clearAddress(status);
                return Result.DONE;
            }
            default -> {
                InstanceInfo i = ctx.launcher().start(InstanceRequest.replica(Resources.name(replica), spec.volumeName,
                        spec.nodeID, spec.volumeSize, directory(spec)));
                status.currentState = InstanceState.STARTING;
                startingAddress(status, i);
                return Result.after(Duration.ofSeconds(2));
            }
        }
    }

    private Result stopped(Replica replica, Optional<InstanceInfo> info) {
        ReplicaStatus status = replica.getStatus();
        if (isUp(info) || (info.isPresent() && InstanceState.ERROR.equals(info.get().state()))) {
            // Stopping an instance in error only clears its state, so that a salvage can start it again.
            ctx.launcher().stop(Resources.name(replica));
            if (isUp(info)) {
                status.currentState = InstanceState.STOPPING;
                return Result.after(Duration.ofSeconds(1));
            }
        }
        status.currentState = InstanceState.STOPPED;
        status.error = "";
        clearAddress(status);
        return Result.DONE;
    }

    /**
     * Where a starting replica will serve when the launcher knows it already (its engine may be
     * started meanwhile), else no address at all: an address left from an earlier run must not
     * pass for this one.
     */
    private static void startingAddress(ReplicaStatus status, InstanceInfo i) {
        boolean known = InstanceState.STARTING.equals(i.state()) && !i.controlAddress().isEmpty();
        status.ip = known ? i.host() : "";
        status.storageIP = status.ip;
        status.port = known ? i.port() : 0;
        status.dataAddress = known ? i.dataAddress() : "";
    }

    private static void clearAddress(ReplicaStatus status) {
        status.ip = "";
        status.storageIP = "";
        status.port = 0;
        status.dataAddress = "";
        status.started = false;
    }

    /** Running, starting, or still shutting down: its process may still use the replica's files. */
    private static boolean isUp(Optional<InstanceInfo> info) {
        return info.isPresent() && (InstanceState.RUNNING.equals(info.get().state())
                || InstanceState.STARTING.equals(info.get().state())
                || InstanceState.STOPPING.equals(info.get().state()));
    }
}
