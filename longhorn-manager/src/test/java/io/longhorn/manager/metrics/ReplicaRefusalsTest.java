package io.longhorn.manager.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.SnapshotChecksum;
import io.longhorn.manager.client.ReplicaClient;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.local.LocalResourceStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The refusal counts of this node's running replicas, summed per volume, beside the engine's. */
class ReplicaRefusalsTest {
    private final LocalResourceStore store = new LocalResourceStore();
    private final Map<String, Long> counts = new HashMap<>();
    private final List<String> asked = new ArrayList<>();

    private void replica(String name, String volume, String node, String state, String ip) {
        Replica r = Resources.create(Replica.class, name);
        r.getSpec().volumeName = volume;
        r.getSpec().nodeID = node;
        Replica created = store.create(r);
        created.getStatus().currentState = state;
        created.getStatus().ip = ip;
        created.getStatus().port = 10000;
        store.updateStatus(created);
    }

    private ReplicaClient client(String address) {
        return new ReplicaClient() {
            @Override
            public List<SnapshotChecksum> snapshotChecksums(String mode) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<RangeChecksum> rangeChecksums(String file, long fileSize, int chunk) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void snapshotCreate(String name, Map<String, String> labels, String created) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void snapshotRemoveAndPurge(String name) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<String> snapshots() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long authRefusals() {
                asked.add(address);
                Long n = counts.get(address);
                if (n == null) {
                    throw new ServiceCallException("replica at " + address + " does not answer", true, false, false, null);
                }
                return n;
            }
        };
    }

    @Test
    void sumsThisNodesRunningReplicasPerVolumeAndAddsThemToTheEngines() {
        replica("v1-r-1", "v1", "node-1", InstanceState.RUNNING, "198.18.0.5");
        replica("v1-r-2", "v1", "node-1", InstanceState.RUNNING, "198.18.0.6");
        replica("v1-r-3", "v1", "node-2", InstanceState.RUNNING, "198.18.0.7");
        replica("v2-r-1", "v2", "node-1", InstanceState.STOPPED, "");
        replica("v3-r-1", "v3", "node-1", InstanceState.RUNNING, "198.18.0.9");
        counts.put("198.18.0.5:10000", 2L);
        counts.put("198.18.0.6:10000", 3L);
        counts.put("198.18.0.7:10000", 100L);
        VolumeIoRates rates = new VolumeIoRates();
        rates.recordAuthRefusals("v1", 1);
        new ReplicaRefusals(store, this::client, rates, "node-1").run();
        assertEquals(List.of("198.18.0.5:10000", "198.18.0.6:10000", "198.18.0.9:10000"), asked.stream().sorted().toList(),
                "only this node's running replicas are asked");
        assertEquals(6, rates.authRefusals("v1"), "the engine's 1 plus its replicas' 2 and 3 here");
        assertEquals(0, rates.authRefusals("v3"), "a replica that does not answer counts at the next round");

        counts.put("198.18.0.9:10000", 4L);
        store.delete(Replica.class, "v1-r-1");
        store.delete(Replica.class, "v1-r-2");
        new ReplicaRefusals(store, this::client, rates, "node-1").run();
        assertEquals(1, rates.authRefusals("v1"), "replicas gone: their counts go");
        assertEquals(4, rates.authRefusals("v3"));
    }
}
