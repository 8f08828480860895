package io.longhorn.manager.launcher.process;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.manager.launcher.InstanceInfo;
import io.longhorn.manager.launcher.InstanceKind;
import io.longhorn.manager.launcher.InstanceLauncher;
import io.longhorn.manager.launcher.InstanceRequest;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.store.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Engines and replicas as local processes. Starting spawns the {@code bin/} launcher on free ports
 * and waits (on a virtual thread) for the ready line; the instance is then recorded so that a
 * restarted manager adopts it. A process that exits without being asked to is reported in
 * {@link InstanceState#ERROR} with its last output lines.
 *
 * <p>A replica's ports are chosen when it is asked to start and reported while it starts, so that
 * its engine can be started at the same time (it waits for the replica to serve, see
 * {@link InstanceRequest#replicasStarting()}): the JVMs start side by side instead of one after the
 * other. Should a chosen port be taken before the replica binds it, the replica starts on new ports
 * and reports those; an engine already waiting on the old address finds it unreachable when its
 * wait ends, as it would find a replica that failed to start.
 */
public final class ProcessInstanceLauncher implements InstanceLauncher, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ProcessInstanceLauncher.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** A process stopped before it was ready has nothing to flush yet. */
    private static final Duration STARTING_STOP_GRACE = Duration.ofSeconds(2);
    /** The frontend that gives a block device on the host (the engine serves NBD to it). */
    private static final String BLOCKDEV = "blockdev";
    private static final int START_ATTEMPTS = 3;

    private final ProcessLauncherOptions options;
    private final HostDevices devices;
    private final FreePorts ports = new FreePorts();
    private final FileVolumeSecrets secrets;
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    /** One instance's current knowledge; guarded by its own monitor. */
    private static final class Instance {
        final String name;
        final InstanceKind kind;
        final String volume;
        String state;
        ProcessHandle handle;
        String control = "";
        String data = "";
        String endpoint = "";
        String error = "";
        boolean stopRequested;
        /** The process while it starts (before its ready line), so that a stop need not wait for it. */
        ProcessHandle starting;
        /** An engine's block device (frontend blockdev), connected after it is ready. */
        HostDevices.Connected device;

        Instance(String name, InstanceKind kind, String volume, String state) {
            this.name = name;
            this.kind = kind;
            this.volume = volume;
            this.state = state;
        }

        synchronized InstanceInfo info() {
            return new InstanceInfo(name, kind, state, control, data, endpoint, error,
                    device == null ? "" : device.describe());
        }
    }

    public ProcessInstanceLauncher(ProcessLauncherOptions options) {
        this.options = options;
        // Next to the instance records: <data-dir>/secrets.
        this.secrets = new FileVolumeSecrets(options.stateDir().toAbsolutePath().resolveSibling("secrets"));
        this.devices = new HostDevices(options.deviceDir(), options.frontendDir(), options.logDir());
        try {
            Files.createDirectories(options.stateDir());
            Files.createDirectories(options.logDir());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + options.stateDir() + ": " + e.getMessage(), e);
        }
        adoptRunning();
    }

    @Override
    public void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public Optional<InstanceInfo> inspect(String name) {
        Instance i = instances.get(name);
        return i == null ? Optional.empty() : Optional.of(i.info());
    }

    @Override
    public InstanceInfo start(InstanceRequest request) {
        Instance fresh = new Instance(request.name(), request.kind(), request.volumeName(), InstanceState.STARTING);
        Instance current = instances.compute(request.name(), (k, old) -> {
            if (old != null) {
                synchronized (old) {
                    if (!InstanceState.STOPPED.equals(old.state) && !InstanceState.ERROR.equals(old.state)) {
                        return old;
                    }
                }
            }
            return fresh;
        });
        if (current == fresh) {
            if (request.kind() == InstanceKind.REPLICA) {
                try {
                    choosePorts(fresh);
                } catch (RuntimeException e) {
                    synchronized (fresh) {
                        fresh.state = InstanceState.ERROR;
                        fresh.error = "cannot start replica " + request.name() + " of volume " + request.volumeName()
                                + ": " + e.getMessage();
                    }
                    notifyListeners(request.name());
                    return fresh.info();
                }
            }
            Thread.ofVirtual().name("start-" + request.name()).start(() -> spawn(fresh, request));
            notifyListeners(request.name());
        }
        return current.info();
    }

    /** A replica's control and data ports, reported while it starts. */
    private void choosePorts(Instance inst) {
        String host = options.host();
        String control = host + ":" + ports.next(host);
        String data = "tcp://" + host + ":" + ports.next(host);
        synchronized (inst) {
            inst.control = control;
            inst.data = data;
        }
    }

    private void spawn(Instance inst, InstanceRequest req) {
        String prefix = req.kind() == InstanceKind.ENGINE ? "engine ready:" : "replica ready:";
        Path log = options.logDir().resolve(req.name() + ".log");
        String lastError = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            synchronized (inst) {
                if (inst.stopRequested) {
                    lastError = "stopped while it started";
                    break;
                }
            }
            List<String> cmd;
            try {
                secrets.secretFor(req.volumeName());
                if (attempt > 1 && req.kind() == InstanceKind.REPLICA) {
                    choosePorts(inst);
                    notifyListeners(req.name());
                }
                cmd = command(req, inst.info());
            } catch (RuntimeException e) {
                lastError = e.getMessage();
                break;
            }
            try {
                Spawner.Spawned s = Spawner.start(cmd, log, prefix, startTimeout(req), env(), h -> {
                    boolean stop;
                    synchronized (inst) {
                        inst.starting = h;
                        stop = inst.stopRequested;
                    }
                    if (stop) {
                        Spawner.terminate(h, STARTING_STOP_GRACE);
                    }
                });
                synchronized (inst) {
                    inst.starting = null;
                }
                HostDevices.Connected device = null;
                if (BLOCKDEV.equals(req.frontend())) {
                    try {
                        device = devices.connect(req.volumeName(), s.ready().getOrDefault("nbd", ""));
                    } catch (HostDevices.DeviceException e) {
                        Spawner.terminate(s.handle(), STOP_GRACE);
                        lastError = e.getMessage();
                        break;
                    }
                }
                synchronized (inst) {
                    inst.handle = s.handle();
                    inst.control = stripScheme(s.ready().getOrDefault("control", ""));
                    inst.data = s.ready().getOrDefault("data", "");
                    inst.device = device;
                    inst.endpoint = device != null ? device.path() : s.ready().getOrDefault("nbd", "");
                    inst.error = "";
                }
                // Recorded before it is reported running: a manager that dies right after must find it.
                save(inst, req.volumeName());
                boolean stop;
                synchronized (inst) {
                    stop = inst.stopRequested;
                    inst.state = stop ? InstanceState.STOPPING : InstanceState.RUNNING;
                }
                LOG.infof("%s %s of volume %s ready: control %s%s", kindName(req), req.name(), req.volumeName(),
                        inst.control, inst.endpoint.isEmpty() ? "" : ", " + inst.endpoint);
                watchExit(inst);
                if (stop) {
                    Spawner.terminate(s.handle(), STOP_GRACE);
                }
                notifyListeners(req.name());
                return;
            } catch (Spawner.SpawnException e) {
                synchronized (inst) {
                    inst.starting = null;
                }
                lastError = e.getMessage();
                if (!e.addressInUse) {
                    break;
                }
                LOG.debugf("%s %s: port taken, retrying: %s", kindName(req), req.name(), e.getMessage());
            } catch (IOException | RuntimeException e) {
                lastError = e.getMessage();
                break;
            }
        }
        synchronized (inst) {
            inst.control = "";
            inst.data = "";
            inst.state = inst.stopRequested ? InstanceState.STOPPED : InstanceState.ERROR;
            inst.error = "cannot start " + kindName(req) + " " + req.name() + " of volume " + req.volumeName() + ": "
                    + lastError + " (log: " + log + ")";
        }
        LOG.warn(inst.error);
        notifyListeners(req.name());
    }

    /**
     * An engine that waits for its replicas may take their start-up time on top of its own: it
     * waits up to the start timeout for them.
     */
    private Duration startTimeout(InstanceRequest req) {
        return req.kind() == InstanceKind.ENGINE && req.replicasStarting()
                ? options.startTimeout().multipliedBy(2) : options.startTimeout();
    }

    /** The command, on newly chosen ports for a replica. */
    List<String> command(InstanceRequest req) {
        Instance fresh = new Instance(req.name(), req.kind(), req.volumeName(), InstanceState.STARTING);
        if (req.kind() == InstanceKind.REPLICA) {
            choosePorts(fresh);
        }
        return command(req, fresh.info());
    }

    /** @param chosen the instance as it starts: a replica's ports are chosen already */
    List<String> command(InstanceRequest req, InstanceInfo chosen) {
        String host = options.host();
        List<String> cmd = new ArrayList<>();
        if (req.kind() == InstanceKind.REPLICA) {
            cmd.add(options.binDir().resolve("longhorn-replica").toString());
            cmd.addAll(List.of("--listen", chosen.controlAddress(), "--data-listen", stripScheme(chosen.dataAddress()),
                    "--size", Long.toString(req.size()), "--secret-file", secrets.file(req.volumeName()).toString(),
                    req.replicaDirectory()));
        } else {
            cmd.add(options.binDir().resolve("longhorn-engine").toString());
            // blockdev: the engine serves NBD, and a block device on this host is connected to it.
            String frontend = BLOCKDEV.equals(req.frontend()) ? "nbd" : req.frontend();
            cmd.addAll(List.of("controller", "--listen", host + ":" + ports.next(host), "--frontend", frontend));
            if ("nbd".equals(frontend)) {
                cmd.addAll(List.of("--nbd-listen", host + ":" + ports.next(host)));
            }
            cmd.addAll(List.of("--secret-file", secrets.file(req.volumeName()).toString()));
            if (req.replicaTimeoutSeconds() > 0) {
                cmd.addAll(List.of("--replica-timeout", req.replicaTimeoutSeconds() + "s"));
            }
            if (req.replicasStarting()) {
                // As long as a replica may take to print its ready line: one that has not served by
                // then has failed to start, and the engine finds it unreachable, as it would have.
                cmd.addAll(List.of("--replica-wait", options.startTimeout().toMillis() + "ms"));
            }
            for (String r : req.replicaAddresses()) {
                cmd.addAll(List.of("--replica", r));
            }
            if (req.minGeneration() > 0) {
                cmd.addAll(List.of("--min-generation", Long.toString(req.minGeneration())));
            }
            if (req.salvage()) {
                cmd.add("--salvage");
            }
            cmd.add(req.volumeName());
        }
        return cmd;
    }

    private Map<String, String> env() {
        Map<String, String> env = new java.util.HashMap<>(options.env());
        // bin/longhorn-manager gives its own JVM options to the manager only; instances get the user's.
        String instanceOpts = System.getenv("LONGHORN_INSTANCE_JAVA_OPTS");
        if (instanceOpts != null) {
            env.putIfAbsent("LONGHORN_JAVA_OPTS", instanceOpts);
        }
        // The bin/ launchers need a JDK 25; hand them the one the manager runs on.
        if (System.getenv("JAVA_HOME") == null) {
            env.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        }
        return env;
    }

    private void watchExit(Instance inst) {
        ProcessHandle h;
        synchronized (inst) {
            h = inst.handle;
        }
        h.onExit().thenRun(() -> {
            boolean expected;
            synchronized (inst) {
                if (inst.handle != h) {
                    return;
                }
                expected = inst.stopRequested;
                inst.state = expected ? InstanceState.STOPPED : InstanceState.ERROR;
                inst.error = expected ? "" : kindName(inst.kind) + " " + inst.name + " (pid " + h.pid()
                        + ") exited unexpectedly; log: " + options.logDir().resolve(inst.name + ".log");
                inst.control = "";
                inst.data = "";
                inst.endpoint = "";
            }
            releaseDevice(inst);
            forget(inst.name);
            if (!expected) {
                LOG.warn(inst.error);
            }
            notifyListeners(inst.name);
        });
    }

    @Override
    public void stop(String name) {
        Instance inst = instances.get(name);
        if (inst == null) {
            return;
        }
        ProcessHandle h;
        ProcessHandle starting = null;
        synchronized (inst) {
            if (InstanceState.ERROR.equals(inst.state)) {
                inst.state = InstanceState.STOPPED;
                inst.error = "";
                h = null;
            } else if (InstanceState.STOPPED.equals(inst.state) || inst.stopRequested) {
                return;
            } else {
                inst.stopRequested = true;
                h = inst.handle;
                if (h != null) {
                    inst.state = InstanceState.STOPPING;
                } else {
                    starting = inst.starting;
                }
            }
        }
        if (starting != null) {
            // Not ready yet: it serves nothing, so it need not be waited for. Its start ends as stopped.
            LOG.infof("stopping %s %s while it starts (pid %d)", kindName(inst.kind), name, starting.pid());
            Spawner.terminate(starting, STARTING_STOP_GRACE);
        }
        if (h != null) {
            // The block device goes before the engine that serves it.
            releaseDevice(inst);
            LOG.infof("stopping %s %s (pid %d)", kindName(inst.kind), name, h.pid());
            Spawner.terminate(h, STOP_GRACE);
        }
        notifyListeners(name);
    }

    @Override
    public void deleteReplicaData(String nodeID, String replicaDirectory) {
        Path dir = Path.of(replicaDirectory);
        // Only ever remove a replica directory: a wrong path must not take anything else with it.
        if (dir.getParent() == null || !"replicas".equals(dir.getParent().getFileName().toString())) {
            LOG.warnf("refusing to delete %s: not a replica directory", dir);
            return;
        }
        try (Stream<Path> walk = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            LOG.infof("removed replica data %s", dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove replica data " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public VolumeSecret secretForAddress(String controlAddress) {
        String address = stripScheme(controlAddress);
        for (Instance i : instances.values()) {
            synchronized (i) {
                if (!i.control.isEmpty() && i.control.equals(address) && i.volume != null && !i.volume.isEmpty()) {
                    try {
                        return secrets.secretFor(i.volume);
                    } catch (RuntimeException e) {
                        // The call goes unsigned and the instance refuses it, with a clear error.
                        LOG.warnf("no secret of volume %s for calls to %s: %s", i.volume, address, e.getMessage());
                        return null;
                    }
                }
            }
        }
        return null;
    }

    @Override
    public void deleteVolumeSecret(String volumeName) {
        secrets.delete(volumeName);
    }

    /** Disconnects an engine's block device, once. */
    private void releaseDevice(Instance inst) {
        HostDevices.Connected device;
        synchronized (inst) {
            device = inst.device;
            inst.device = null;
        }
        if (device != null) {
            devices.disconnect(device);
            LOG.infof("volume device %s disconnected (%s)", device.path(), device.device());
        }
    }

    /** Stops every instance (used when the manager is asked to take its instances down with it). */
    public void stopAll() {
        instances.keySet().forEach(this::stop);
    }

    /** The process ids of the running instances. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new java.util.TreeMap<>();
        instances.forEach((n, i) -> {
            synchronized (i) {
                if (i.handle != null && i.handle.isAlive()) {
                    pids.put(n, i.handle.pid());
                }
            }
        });
        return pids;
    }

    @Override
    public void close() {
        // Instances outlive the manager on purpose: volumes stay attached while it restarts.
    }

    private void adoptRunning() {
        try (Stream<Path> files = Files.list(options.stateDir())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                adopt(f);
            }
        } catch (IOException e) {
            LOG.warnf("cannot read instance records in %s: %s", options.stateDir(), e.getMessage());
        }
    }

    private void adopt(Path file) {
        try {
            InstanceRecord r = Resources.JSON.readValue(file.toFile(), InstanceRecord.class);
            Optional<ProcessHandle> h = ProcessHandle.of(r.pid())
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().startInstant().map(Object::toString).orElse("").equals(r.started()));
            if (h.isEmpty()) {
                if (r.device() != null) {
                    devices.disconnect(r.device()); // its engine is gone: the device serves nothing
                }
                Files.deleteIfExists(file);
                return;
            }
            Instance inst = new Instance(r.name(), InstanceKind.valueOf(r.kind()), r.volumeName(), InstanceState.RUNNING);
            inst.handle = h.get();
            inst.control = r.controlAddress();
            inst.data = r.dataAddress();
            inst.endpoint = r.endpoint();
            inst.device = r.device();
            instances.put(r.name(), inst);
            watchExit(inst);
            LOG.infof("adopted %s %s of volume %s (pid %d, control %s)", kindName(inst.kind), r.name(), r.volumeName(),
                    r.pid(), r.controlAddress());
        } catch (IOException | RuntimeException e) {
            LOG.warnf("ignoring instance record %s: %s", file, e.getMessage());
        }
    }

    private void save(Instance inst, String volumeName) {
        InstanceRecord r;
        synchronized (inst) {
            r = new InstanceRecord(inst.name, inst.kind.name(), volumeName, inst.handle.pid(),
                    inst.handle.info().startInstant().map(Object::toString).orElse(""), inst.control, inst.data,
                    inst.endpoint, inst.device);
        }
        Path target = options.stateDir().resolve(inst.name + ".json");
        Path tmp = options.stateDir().resolve("." + inst.name + ".json.tmp");
        try {
            Files.write(tmp, Resources.JSON.writeValueAsBytes(r));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warnf("cannot record instance %s: %s", inst.name, e.getMessage());
        }
    }

    private void forget(String name) {
        try {
            Files.deleteIfExists(options.stateDir().resolve(name + ".json"));
        } catch (IOException e) {
            LOG.debugf("cannot remove record of %s: %s", name, e.getMessage());
        }
    }

    private void notifyListeners(String name) {
        for (Consumer<String> l : listeners) {
            try {
                l.accept(name);
            } catch (RuntimeException e) {
                LOG.debugf("instance listener failed for %s: %s", name, e.getMessage());
            }
        }
    }

    private static String stripScheme(String address) {
        return address.startsWith("tcp://") ? address.substring("tcp://".length()) : address;
    }

    private static String kindName(InstanceRequest req) {
        return kindName(req.kind());
    }

    private static String kindName(InstanceKind kind) {
        return kind == InstanceKind.ENGINE ? "engine" : "replica";
    }
}
