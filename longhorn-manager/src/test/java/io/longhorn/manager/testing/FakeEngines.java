package io.longhorn.manager.testing;

import io.longhorn.manager.client.EngineClient;
import io.longhorn.manager.client.EngineClients;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.launcher.InstanceRequest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engines the fake launcher started, by control address, and the replicas that run (with the
 * data each holds, as a snapshot list, so that a new engine over old replicas sees their snapshots).
 */
public final class FakeEngines implements EngineClients {
    private final Map<String, FakeEngine> engines = new ConcurrentHashMap<>();
    /** Replica address to its volume size, for the replicas that run. */
    private final Map<String, Long> replicas = new ConcurrentHashMap<>();
    /** Volume to its snapshot state, kept across engine restarts like data on the replicas. */
    private final Map<String, FakeEngine.Chain> chains = new ConcurrentHashMap<>();

    private volatile boolean holdRebuilds;

    /** While held, an added replica stays WO (its rebuild runs) instead of turning RW at the next look. */
    public void holdRebuilds(boolean hold) {
        holdRebuilds = hold;
    }

    boolean rebuildsHeld() {
        return holdRebuilds;
    }

    void create(String control, InstanceRequest req, String endpoint) {
        long size = req.replicaAddresses().stream().mapToLong(a -> replicas.getOrDefault(a, 0L)).max().orElse(req.size());
        FakeEngine.Chain chain = chains.computeIfAbsent(req.volumeName(), v -> new FakeEngine.Chain());
        synchronized (chain) {
            // As a real engine: each start records the next odd generation above all it knows of.
            long required = Math.max(chain.generation, req.minGeneration());
            chain.generation = required % 2 == 0 ? required + 1 : required + 2;
        }
        FakeEngine e = new FakeEngine(req.volumeName(), control, endpoint, size, chain, this);
        for (String r : req.replicaAddresses()) {
            e.start(r);
        }
        engines.put(control, e);
    }

    void remove(String control) {
        engines.remove(control);
    }

    void replicaStarted(String address, InstanceRequest req) {
        replicas.put(address, req.size());
    }

    void replicaGone(String address) {
        replicas.remove(address);
        engines.values().forEach(e -> e.replicaFailed(address));
    }

    boolean replicaRuns(String address) {
        return replicas.containsKey(address);
    }

    @Override
    public EngineClient forAddress(String controlAddress) {
        FakeEngine e = engines.get(controlAddress);
        if (e == null) {
            return (EngineClient) java.lang.reflect.Proxy.newProxyInstance(EngineClient.class.getClassLoader(),
                    new Class<?>[] {EngineClient.class}, (p, m, a) -> {
                        throw new ServiceCallException("engine " + controlAddress + " is not running", true, false, false,
                                null);
                    });
        }
        return e;
    }

    public Optional<FakeEngine> engineOf(String volume) {
        return engines.values().stream().filter(e -> e.volume().equals(volume)).findFirst();
    }

    public Set<String> runningReplicas() {
        return Set.copyOf(replicas.keySet());
    }
}
