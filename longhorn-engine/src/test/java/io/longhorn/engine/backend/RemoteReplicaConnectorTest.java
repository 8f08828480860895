package io.longhorn.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.longhorn.api.types.Address;
import io.longhorn.api.replica.ReplicaInfo;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RemoteReplicaConnectorTest {
    @Test
    void aReplicaListeningOnEveryInterfaceIsReachedAtItsControlHost() throws IOException {
        ReplicaInfo info = ReplicaInfo.newBuilder().setDataAddress("tcp://0.0.0.0:10001").build();
        assertEquals(Address.tcp("198.18.0.4", 10001),
                RemoteReplicaConnector.dataAddress(Address.tcp("198.18.0.4", 10000), info));
    }

    @Test
    void aReplicaReportingItsOwnAddressIsReachedThere() throws IOException {
        ReplicaInfo info = ReplicaInfo.newBuilder().setDataAddress("tcp://198.18.0.9:10001").build();
        assertEquals(Address.tcp("198.18.0.9", 10001),
                RemoteReplicaConnector.dataAddress(Address.tcp("198.18.0.4", 10000), info));
    }

    @Test
    void noDataAddressIsAnError() {
        ReplicaInfo info = ReplicaInfo.newBuilder().build();
        assertThrows(IOException.class, () -> RemoteReplicaConnector.dataAddress(Address.tcp("198.18.0.4", 10000), info));
    }
}
