package io.longhorn.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel path's {@code nbd-client} command for the two kinds of engine endpoint. */
class NbdClientCommandTest {
    @Test
    void tcpEndpoint() {
        assertEquals(List.of("nbd-client", "-N", "vol1", "198.18.0.4", "10011", "/dev/nbd3"),
                BlockDevices.nbdClientCommand("nbd://198.18.0.4:10011/vol1", "/dev/nbd3"));
        assertEquals(List.of("nbd-client", "-N", "vol1", "127.0.0.1", "10809", "/dev/nbd0"),
                BlockDevices.nbdClientCommand("nbd://127.0.0.1/vol1", "/dev/nbd0"));
    }

    @Test
    void unixSocketEndpointOfAnEnginePod() {
        assertEquals(List.of("nbd-client", "-N", "pvc-1", "-u", "/var/lib/longhorn/engine-sockets/pvc-1.sock", "/dev/nbd1"),
                BlockDevices.nbdClientCommand("nbd+unix:///pvc-1?socket=/var/lib/longhorn/engine-sockets/pvc-1.sock",
                        "/dev/nbd1"));
    }

    @Test
    void endpointsItCannotUseAreRefused() {
        for (String bad : List.of("nbd+unix:///vol1", "nbd+unix:///vol1?socket=relative.sock", "nbds://h:1/v",
                "nbd+unix:///v?socket=/a&tls=require", "not a uri")) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> BlockDevices.nbdClientCommand(bad, "/dev/nbd0"), bad);
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), bad);
        }
    }
}
