package io.longhorn.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandlesTest {
    @Test
    void parsesAndWritesBothKinds() {
        Handles s = Handles.parse("snap://vol1/snap-1");
        assertEquals(Handles.Kind.SNAP, s.kind());
        assertEquals("vol1", s.volume());
        assertEquals("snap-1", s.name());
        assertEquals("snap://vol1/snap-1", s.id());
        Handles b = Handles.parse("bak://vol1/backup-0123456789abcdef");
        assertEquals(Handles.Kind.BAK, b.kind());
        assertEquals("bak://vol1/backup-0123456789abcdef", b.id());
        assertEquals("bak://v/b", Handles.parse("bs://v/b").id());
    }

    @Test
    void refusesWhatIsNotAHandle() {
        for (String id : new String[] {"vol1/snap", "nfs://v/s", "snap://v", "snap:///s", "snap://v/", "snap://v/s/x", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Handles.parse(id), id);
        }
    }

    @Test
    void snapshotClassType() {
        assertEquals(Handles.Kind.SNAP, ControllerService.snapshotType(Map.of("type", "snap")));
        assertEquals(Handles.Kind.BAK, ControllerService.snapshotType(Map.of("type", "bak")));
        assertEquals(Handles.Kind.BAK, ControllerService.snapshotType(Map.of("type", "bs")));
        assertEquals(Handles.Kind.BAK, ControllerService.snapshotType(Map.of()));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> ControllerService.snapshotType(Map.of("type", "bi")));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("parameters.type: \"bi\" is not snap or bak", e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> ControllerService.snapshotType(Map.of("backupMode", "full")));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void snapshotNamesLonghornRefusesAreShortenedWithAChecksum() {
        assertEquals("snapshot-6e4a1d2c-1b7e-4a0e-8f3c-0c2d9b1e2f3a",
                ControllerService.snapshotName("snapshot-6e4a1d2c-1b7e-4a0e-8f3c-0c2d9b1e2f3a"));
        String longName = "x".repeat(128);
        String n = ControllerService.snapshotName(longName);
        assertEquals(63, n.length());
        assertEquals("x".repeat(54) + "-" + VolumeParameters.sha256(longName).substring(0, 8), n);
        assertEquals("a-b-" + VolumeParameters.sha256("a b?").substring(0, 8), ControllerService.snapshotName("a b?"));
    }

    @Test
    void pagesOfAListing() {
        ControllerService.Page p = ControllerService.Page.of(2, "", 5);
        assertEquals(0, p.from());
        assertEquals(2, p.to());
        assertEquals("2", p.next());
        p = ControllerService.Page.of(2, "4", 5);
        assertEquals(4, p.from());
        assertEquals(5, p.to());
        assertEquals("", p.next());
        assertEquals(5, ControllerService.Page.of(0, "", 5).to());
        assertEquals(Status.Code.ABORTED, assertThrows(StatusRuntimeException.class,
                () -> ControllerService.Page.of(0, "x", 5)).getStatus().getCode());
        assertEquals(Status.Code.ABORTED, assertThrows(StatusRuntimeException.class,
                () -> ControllerService.Page.of(0, "6", 5)).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> ControllerService.Page.of(-1, "", 5)).getStatus().getCode());
    }
}
