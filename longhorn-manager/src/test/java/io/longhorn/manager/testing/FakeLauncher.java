package io.longhorn.manager.testing;

import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceKind;
import io.longhorn.manager.launcher.InstanceLauncher;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.model.InstanceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Instances that run as soon as they are started; {@link #crash} makes one die. */
public final class FakeLauncher implements InstanceLauncher {
    private final Map<String, InstanceInfo> instances = new ConcurrentHashMap<>();
    private final Map<String, InstanceRequest> requests = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger ports = new AtomicInteger(20000);
    private final List<String> deleted = new CopyOnWriteArrayList<>();
    private final AtomicInteger starts = new AtomicInteger();
    /** "start NAME" and "stop NAME" in the order they happened. */
    public final List<String> log = new CopyOnWriteArrayList<>();
    private final FakeEngines engines;

    public FakeLauncher(FakeEngines engines) {
        this.engines = engines;
    }

    /**
     * While set, a replica stays STARTING (at addresses known already, as the process launcher
     * reports them) until {@link #finishReplicaStarts}, and an engine started while its replicas
     * start waits with them, as a real one given {@code --replica-wait} does.
     */
    private volatile boolean holdReplicaStarts;
    private final Map<String, InstanceRequest> waitingEngines = new ConcurrentHashMap<>();

    public void holdReplicaStarts() {
        holdReplicaStarts = true;
    }

    /** The held replicas serve now; engines that waited for them start over them. */
    public void finishReplicaStarts() {
        holdReplicaStarts = false;
        instances.forEach((name, i) -> {
            if (i.kind() == InstanceKind.REPLICA && InstanceState.STARTING.equals(i.state())) {
                engines.replicaStarted("tcp://" + i.controlAddress(), requests.get(name));
                instances.put(name, new InstanceInfo(name, i.kind(), InstanceState.RUNNING, i.controlAddress(),
                        i.dataAddress(), "", ""));
                notifyListeners(name);
            }
        });
        for (String name : List.copyOf(waitingEngines.keySet())) {
            InstanceRequest req = waitingEngines.remove(name);
            instances.put(name, runEngine(req, instances.get(name).controlAddress()));
            notifyListeners(name);
        }
    }

    /**
     * A held replica finds its port taken and starts again on new ports, as the process launcher
     * does on "address already in use": still STARTING, at a new address.
     */
    public void moveStartingReplica(String name) {
        InstanceInfo i = instances.get(name);
        if (i == null || i.kind() != InstanceKind.REPLICA || !InstanceState.STARTING.equals(i.state())) {
            throw new IllegalStateException(name + " is not a starting replica");
        }
        instances.put(name, new InstanceInfo(name, i.kind(), InstanceState.STARTING, "127.0.0.1:" + ports.incrementAndGet(),
                "tcp://127.0.0.1:" + ports.incrementAndGet(), "", ""));
        notifyListeners(name);
    }

    @Override
    public InstanceInfo start(InstanceRequest req) {
        InstanceInfo current = instances.get(req.name());
        if (current != null && (InstanceState.RUNNING.equals(current.state()) || InstanceState.STARTING.equals(current.state()))) {
            return current;
        }
        starts.incrementAndGet();
        log.add("start " + req.name());
        String control = "127.0.0.1:" + ports.incrementAndGet();
        InstanceInfo info;
        if (req.kind() == InstanceKind.ENGINE && holdReplicaStarts && req.replicasStarting()) {
            waitingEngines.put(req.name(), req);
            info = new InstanceInfo(req.name(), req.kind(), InstanceState.STARTING, "", "", "", "");
        } else if (req.kind() == InstanceKind.REPLICA && holdReplicaStarts) {
            info = new InstanceInfo(req.name(), req.kind(), InstanceState.STARTING, control,
                    "tcp://127.0.0.1:" + ports.incrementAndGet(), "", "");
        } else if (req.kind() == InstanceKind.ENGINE) {
            info = runEngine(req, control);
        } else {
            engines.replicaStarted("tcp://" + control, req);
            info = new InstanceInfo(req.name(), req.kind(), InstanceState.RUNNING, control,
                    "tcp://127.0.0.1:" + ports.incrementAndGet(), "", "");
        }
        instances.put(req.name(), info);
        requests.put(req.name(), req);
        notifyListeners(req.name());
        return info;
    }

    private InstanceInfo runEngine(InstanceRequest req, String controlAddress) {
        String control = controlAddress.isEmpty() ? "127.0.0.1:" + ports.incrementAndGet() : controlAddress;
        boolean blockdev = "blockdev".equals(req.frontend());
        String endpoint = "nbd".equals(req.frontend()) || blockdev
                ? "nbd://127.0.0.1:" + ports.incrementAndGet() + "/" + req.volumeName() : "";
        engines.create(control, req, endpoint);
        // blockdev: the device the process launcher would link over the engine's export.
        return new InstanceInfo(req.name(), req.kind(), InstanceState.RUNNING, control, "",
                blockdev ? "/dev/longhorn/" + req.volumeName() : endpoint, "",
                blockdev ? "userspace (slower): nbdfuse + /dev/loop0" : "");
    }

    /**
     * Stopping takes a moment, as a process's shutdown does: the instance is STOPPING first and
     * STOPPED a little later.
     */
    @Override
    public void stop(String name) {
        InstanceInfo i = instances.get(name);
        if (i == null || InstanceState.STOPPED.equals(i.state()) || InstanceState.STOPPING.equals(i.state())) {
            return;
        }
        if (InstanceState.ERROR.equals(i.state())) {
            instances.put(name, new InstanceInfo(name, i.kind(), InstanceState.STOPPED, "", "", "", ""));
            notifyListeners(name);
            return;
        }
        retire(i);
        waitingEngines.remove(name);
        log.add("stop " + name);
        instances.put(name, new InstanceInfo(name, i.kind(), InstanceState.STOPPING, i.controlAddress(), i.dataAddress(),
                i.endpoint(), ""));
        notifyListeners(name);
        SHUTDOWN.schedule(() -> {
            instances.computeIfPresent(name, (k, cur) -> InstanceState.STOPPING.equals(cur.state())
                    ? new InstanceInfo(name, cur.kind(), InstanceState.STOPPED, "", "", "", "") : cur);
            notifyListeners(name);
        }, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static final java.util.concurrent.ScheduledExecutorService SHUTDOWN =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());

    /** The instance dies (like kill -9): an engine that had it as a replica sets it to ERR. */
    public void crash(String name) {
        InstanceInfo i = instances.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no instance " + name);
        }
        retire(i);
        instances.put(name, new InstanceInfo(name, i.kind(), InstanceState.ERROR, "", "", "", name + " was killed"));
        notifyListeners(name);
    }

    private void retire(InstanceInfo i) {
        if (i.kind() == InstanceKind.REPLICA && !i.controlAddress().isEmpty()) {
            engines.replicaGone("tcp://" + i.controlAddress());
        } else if (i.kind() == InstanceKind.ENGINE) {
            engines.remove(i.controlAddress());
        }
    }

    @Override
    public Optional<InstanceInfo> inspect(String name) {
        return Optional.ofNullable(instances.get(name));
    }

    /** Volumes whose secret was deleted, in order. */
    public final List<String> deletedSecrets = new CopyOnWriteArrayList<>();

    @Override
    public io.longhorn.api.auth.VolumeSecret secretForAddress(String controlAddress) {
        return null; // fake engines check nothing
    }

    @Override
    public void deleteVolumeSecret(String volumeName) {
        deletedSecrets.add(volumeName);
    }

    @Override
    public void deleteReplicaData(String nodeID, String replicaDirectory) {
        requests.forEach((name, req) -> {
            InstanceInfo i = instances.get(name);
            boolean gone = i == null || InstanceState.STOPPED.equals(i.state()) || InstanceState.ERROR.equals(i.state());
            if (replicaDirectory.equals(req.replicaDirectory()) && !gone) {
                violations.add("deleted " + replicaDirectory + " while " + name + " was " + i.state());
            }
        });
        deleted.add(replicaDirectory);
    }

    /** Data deleted under a process that had not stopped yet: must stay empty. */
    public final List<String> violations = new CopyOnWriteArrayList<>();

    @Override
    public void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    private void notifyListeners(String name) {
        listeners.forEach(l -> l.accept(name));
    }

    /** Every process is gone and forgotten, as after a host reboot: the next launcher knows none. */
    public void forgetAll() {
        for (InstanceInfo i : instances.values()) {
            retire(i);
        }
        instances.clear();
    }

    /** Names of the instances that run now. */
    public List<String> running() {
        List<String> out = new ArrayList<>();
        instances.forEach((n, i) -> {
            if (InstanceState.RUNNING.equals(i.state())) {
                out.add(n);
            }
        });
        return out;
    }

    public List<String> deletedDirectories() {
        return List.copyOf(deleted);
    }

    public int starts() {
        return starts.get();
    }

    public Optional<InstanceRequest> lastRequest(String name) {
        return Optional.ofNullable(requests.get(name));
    }
}
