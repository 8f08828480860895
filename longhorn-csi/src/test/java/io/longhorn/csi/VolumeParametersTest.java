package io.longhorn.csi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolumeParametersTest {
    private static void invalid(String field, Map<String, String> p) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> VolumeParameters.parse(p));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith(field + ":"), e.getStatus().getDescription());
    }

    @Test
    void everyParameterIsRead() {
        VolumeParameters p = VolumeParameters.parse(Map.of("numberOfReplicas", "2", "staleReplicaTimeout", "30",
                "fromBackup", "s3://b@r/x?backup=backup-1&volume=v", "dataLocality", "best-effort",
                "diskSelector", "ssd, fast", "nodeSelector", "storage", "fsType", "XFS", "mkfsParams", " -I 256 ",
                "recurringJobSelector", "[{\"name\":\"snap\",\"isGroup\":true},{\"name\":\"daily\"}]",
                "csi.storage.k8s.io/fstype", "ext4"));
        assertEquals(2, p.numberOfReplicas());
        assertEquals(30, p.staleReplicaTimeout());
        assertEquals("s3://b@r/x?backup=backup-1&volume=v", p.fromBackup());
        assertEquals("best-effort", p.dataLocality());
        assertEquals(List.of("ssd", "fast"), p.diskSelector());
        assertEquals(List.of("storage"), p.nodeSelector());
        assertEquals("xfs", p.fsType());
        assertEquals("-I 256", p.mkfsParams());
        assertEquals(List.of(new VolumeParameters.RecurringJobRef("snap", true),
                new VolumeParameters.RecurringJobRef("daily", false)), p.recurringJobSelector());
    }

    @Test
    void defaults() {
        VolumeParameters p = VolumeParameters.parse(Map.of());
        assertNull(p.numberOfReplicas());
        assertNull(p.staleReplicaTimeout());
        assertNull(p.dataLocality());
        assertEquals("ext4", p.fsType());
        assertEquals("", p.mkfsParams());
        assertTrue(p.recurringJobSelector().isEmpty());
    }

    @Test
    void staleReplicaTimeoutOfZeroOrLessIsUpstreamsDefault() {
        assertEquals(2880, VolumeParameters.parse(Map.of("staleReplicaTimeout", "0")).staleReplicaTimeout());
        assertEquals(2880, VolumeParameters.parse(Map.of("staleReplicaTimeout", "-5")).staleReplicaTimeout());
    }

    @Test
    void badValuesNameTheParameter() {
        invalid("parameters.numberOfReplicas", Map.of("numberOfReplicas", "three"));
        invalid("parameters.numberOfReplicas", Map.of("numberOfReplicas", "0"));
        invalid("parameters.staleReplicaTimeout", Map.of("staleReplicaTimeout", "1.5"));
        invalid("parameters.dataLocality", Map.of("dataLocality", "everywhere"));
        invalid("parameters.fsType", Map.of("fsType", "btrfs"));
        invalid("parameters.diskSelector", Map.of("diskSelector", "ssd,bad tag"));
        invalid("parameters.recurringJobSelector", Map.of("recurringJobSelector", "{not json"));
        invalid("parameters.recurringJobSelector", Map.of("recurringJobSelector", "{\"name\":\"x\"}"));
        invalid("parameters.recurringJobSelector", Map.of("recurringJobSelector", "[{\"isGroup\":true}]"));
        invalid("parameters.recurringJobSelector", Map.of("recurringJobSelector", "[{\"name\":\"x\",\"isGroup\":\"yes\"}]"));
        invalid("parameters.numberOfReplica", Map.of("numberOfReplica", "3"));
    }

    @Test
    void sizesAreRoundedAsUpstream() {
        assertEquals(10L << 20, VolumeParameters.size(0, 0));
        assertEquals(10L << 20, VolumeParameters.size(1, 0));
        assertEquals(12L << 20, VolumeParameters.size((10L << 20) + 1, 0));
        assertEquals(1L << 30, VolumeParameters.size(1L << 30, 1L << 30));
        assertEquals(Status.Code.OUT_OF_RANGE, assertThrows(StatusRuntimeException.class,
                () -> VolumeParameters.size(2L << 30, 1L << 30)).getStatus().getCode());
        // 11 MiB needs 12 MiB, above the limit of 11 MiB
        assertEquals(Status.Code.OUT_OF_RANGE, assertThrows(StatusRuntimeException.class,
                () -> VolumeParameters.size(11L << 20, 11L << 20)).getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> VolumeParameters.size(-1, 0)).getStatus().getCode());
    }

    @Test
    void namesAreLoweredAndLongOnesShortenedAsUpstream() {
        assertEquals("pvc-0123", VolumeParameters.volumeName("PVC-0123"));
        String pv = "pvc-2b1a1d4e-5a2c-4c41-9d3a-3d3c8e9f0a1b";
        assertEquals(pv, VolumeParameters.volumeName(pv));
        String longName = "sanity-controller-create-volume-with-a-long-name-ABCDEF";
        String n = VolumeParameters.volumeName(longName);
        assertEquals(40, n.length());
        assertEquals("sanity-controller-create-volume-" + VolumeParameters.sha256(longName).substring(0, 8), n);
        assertEquals(n, VolumeParameters.volumeName(longName));
    }
}
