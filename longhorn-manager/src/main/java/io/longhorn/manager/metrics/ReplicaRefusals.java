package io.longhorn.manager.metrics;

import io.longhorn.manager.client.ReplicaClients;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.store.ResourceStore;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Reads how many data connections and control calls each running replica on this node refused for
 * not proving its volume's secret (the replica's {@code Info}), and hands the sums per volume to
 * {@link VolumeIoRates} for {@code longhorn_volume_auth_refusals_total}. Run every
 * {@link #INTERVAL_SECONDS} s: one small call per replica, off the data path.
 */
public final class ReplicaRefusals implements Runnable {
    public static final int INTERVAL_SECONDS = 30;
    private static final Logger LOG = Logger.getLogger(ReplicaRefusals.class);

    private final ResourceStore store;
    private final ReplicaClients replicas;
    private final VolumeIoRates rates;
    private final String node;

    public ReplicaRefusals(ResourceStore store, ReplicaClients replicas, VolumeIoRates rates, String node) {
        this.store = store;
        this.replicas = replicas;
        this.rates = rates;
        this.node = node;
    }

    @Override
    public void run() {
        Map<String, Long> byVolume = new HashMap<>();
        for (Replica r : store.list(Replica.class)) {
            if (!node.equals(r.getSpec().nodeID) || !InstanceState.RUNNING.equals(r.getStatus().currentState)
                    || r.getStatus().ip.isEmpty()) {
                continue;
            }
            String address = r.getStatus().ip + ":" + r.getStatus().port;
            try {
                byVolume.merge(r.getSpec().volumeName, replicas.forReplica(address).authRefusals(), Long::sum);
            } catch (ServiceCallException e) {
                // Stopping, or busy: its count is read at the next round.
                LOG.debugf("no refusal count from replica at %s: %s", address, e.getMessage());
            }
        }
        rates.recordReplicaAuthRefusals(byVolume);
    }
}
