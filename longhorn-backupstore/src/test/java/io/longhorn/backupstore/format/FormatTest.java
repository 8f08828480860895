package io.longhorn.backupstore.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.longhorn.backupstore.error.CorruptDataException;
import io.longhorn.backupstore.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FormatTest {

    @Test
    void volumePathsAreSpreadByTheSha512OfTheVolumeName() {
        String h = Layout.sha512Hex("pvc-0123abcd-test".getBytes(StandardCharsets.UTF_8));
        assertEquals("backupstore/volumes/" + h.substring(0, 2) + "/" + h.substring(2, 4) + "/pvc-0123abcd-test",
                Layout.volumeDir("pvc-0123abcd-test"));
        String c = "4bcaade1b34a396dc3c512d2c3b226c423969eb5093529291ce89ebad285d140";
        assertEquals(Layout.volumeDir("v") + "/blocks/4b/ca/" + c + ".blk", Layout.blockPath("v", c));
        assertEquals(Layout.volumeDir("v") + "/backups/backup_backup-1.cfg", Layout.backupCfg("v", "backup-1"));
        assertEquals("backup-1", Layout.backupNameOf("backup_backup-1.cfg").orElseThrow());
        assertTrue(Layout.backupNameOf("backup_.cfg").isEmpty());
        assertEquals(c, Layout.checksumOf("x/4b/ca/" + c + ".blk").orElseThrow());
        assertTrue(Layout.checksumOf("x/4b/ca/short.blk").isEmpty());
    }

    @Test
    void blockChecksumIsTheFirst64HexCharactersOfSha512() {
        byte[] data = "abc".getBytes(StandardCharsets.UTF_8);
        // SHA-512("abc") starts with ddaf35a1...
        String full = Layout.sha512Hex(data);
        assertEquals(full.substring(0, 64), Checksums.blockChecksum(data, 0, 3));
        assertTrue(full.startsWith("ddaf35a193617aba"));
        assertTrue(Checksums.isValid(full.substring(0, 64)));
        assertFalse(Checksums.isValid(full.substring(0, 63)));
    }

    @Test
    void zeroDetectionLooksAtEveryByte() {
        byte[] b = new byte[Layout.BLOCK_SIZE];
        assertTrue(Checksums.isZero(b, b.length));
        b[b.length - 1] = 1;
        assertFalse(Checksums.isZero(b, b.length));
        assertTrue(Checksums.isZero(b, b.length - 1));
    }

    @Test
    void everyCompressionRoundTripsAndLz4UsesTheFrameFormat() {
        byte[] block = new byte[Layout.BLOCK_SIZE];
        new Random(1).nextBytes(block);
        for (int i = 0; i < block.length / 2; i++) {
            block[i] = (byte) (i % 7); // half compressible
        }
        for (Compression c : Compression.values()) {
            byte[] stored = c.compress(block, block.length);
            byte[] back = new byte[Layout.BLOCK_SIZE];
            assertEquals(block.length, c.decompress(stored, back, "block"));
            assertArrayEquals(block, back, c.method());
            if (c != Compression.NONE) {
                assertTrue(stored.length < block.length * 3 / 4, c + " compressed to " + stored.length);
            }
        }
        byte[] lz4 = Compression.LZ4.compress(block, 10);
        assertArrayEquals(new byte[] {0x04, 0x22, 0x4d, 0x18}, java.util.Arrays.copyOf(lz4, 4), "LZ4 frame magic");
        byte[] gz = Compression.GZIP.compress(block, 10);
        assertEquals((byte) 0x1f, gz[0]);
        assertEquals((byte) 0x8b, gz[1]);
    }

    @Test
    void garbageDoesNotDecompressAndNamesTheBlock() {
        byte[] into = new byte[Layout.BLOCK_SIZE];
        CorruptDataException e = assertThrows(CorruptDataException.class,
                () -> Compression.LZ4.decompress("garbage!".getBytes(), into, "block abc"));
        assertTrue(e.getMessage().startsWith("block abc cannot be decompressed as lz4"), e.getMessage());
        assertThrows(CorruptDataException.class, () -> Compression.GZIP.decompress(new byte[] {1, 2, 3}, into, "b"));
        byte[] tooBig = Compression.LZ4.compress(new byte[Layout.BLOCK_SIZE + 1], Layout.BLOCK_SIZE + 1);
        assertThrows(CorruptDataException.class, () -> Compression.LZ4.decompress(tooBig, into, "b"));
    }

    @Test
    void unknownCompressionIsRejectedByName() {
        assertEquals(Compression.LZ4, Compression.parse(null));
        assertEquals(Compression.GZIP, Compression.parse("GZIP"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Compression.parse("zstd"));
        assertTrue(e.getMessage().contains("\"zstd\""));
    }

    @Test
    void volumeCfgUsesUpstreamFieldNamesAndEncodings() throws Exception {
        VolumeConfig v = VolumeConfig.create("vol1", 18874368, Map.of("k", "v"), Compression.LZ4)
                .withLastBackup("backup-1", "2026-10-05T00:40:38Z", 18874368, 4);
        JsonNode json = new ObjectMapper().readTree(Json.write(v));
        assertEquals(List.of("Name", "Size", "Labels", "CreatedTime", "LastBackupName", "LastBackupAt", "BlockCount",
                "BackingImageName", "BackingImageChecksum", "CompressionMethod", "StorageClassName", "DataEngine"),
                iterate(json));
        assertEquals("18874368", json.get("Size").textValue());
        assertEquals("4", json.get("BlockCount").textValue());
        assertEquals("\"lz4\"", json.get("CompressionMethod").textValue());
        assertEquals(v, Json.read(Json.write(v), VolumeConfig.class, "volume.cfg"));
    }

    @Test
    void anUpstreamVolumeCfgIsRead() {
        String upstream = "{\"Name\":\"pvc-1\",\"Size\":\"18874368\",\"Labels\":{\"k\":\"v\"},\"CreatedTime\":"
                + "\"2026-10-05T00:40:38Z\",\"LastBackupName\":\"backup-854f6ced7b4942d4\",\"LastBackupAt\":"
                + "\"2026-10-05T00:40:38Z\",\"BlockCount\":\"4\",\"BackingImageName\":\"\\\"\\\"\","
                + "\"BackingImageChecksum\":\"\\\"\\\"\",\"CompressionMethod\":\"\\\"gzip\\\"\",\"StorageClassName\":"
                + "\"\\\"\\\"\",\"DataEngine\":\"\\\"v1\\\"\",\"LinkedCloneSourceVolume\":\"\\\"\\\"\"}";
        VolumeConfig v = Json.read(upstream.getBytes(), VolumeConfig.class, "volume.cfg");
        assertEquals(18874368, v.size());
        assertEquals(4, v.blockCount());
        assertEquals(Compression.GZIP, v.compression());
        assertEquals("v1", v.dataEngine());
        assertEquals("", v.backingImageName());
    }

    @Test
    void backupCfgUsesUpstreamFieldNamesAndReadsUpstreamFiles() throws Exception {
        String upstream = "{\"Name\":\"backup-854f6ced7b4942d4\",\"VolumeName\":\"pvc-1\",\"SnapshotName\":\"snap-1\","
                + "\"SnapshotCreatedAt\":\"2026-10-05T00:40:38Z\",\"CreatedTime\":\"2026-10-05T00:40:43Z\",\"Size\":"
                + "\"4194304\",\"Labels\":{\"k\":\"v\"},\"Parameters\":null,\"IsIncremental\":true,"
                + "\"CompressionMethod\":\"lz4\",\"NewlyUploadedDataSize\":\"2097171\",\"ReUploadedDataSize\":\"0\","
                + "\"ProcessingBlocks\":null,\"Blocks\":[{\"Offset\":0,\"BlockChecksum\":\"d9cf\"},{\"Offset\":2097152,"
                + "\"BlockChecksum\":\"bb9d\"}],\"SingleFile\":{\"FilePath\":\"\"}}";
        BackupConfig b = Json.read(upstream.getBytes(), BackupConfig.class, "backup.cfg");
        assertEquals(4194304, b.size());
        assertEquals(2097171, b.newlyUploadedDataSize());
        assertTrue(b.incremental());
        assertEquals(new BlockMapping(2097152, "bb9d"), b.blocks().get(1));
        assertEquals(0, b.volumeSize(), "not in upstream files: the restore falls back to volume.cfg");

        JsonNode json = new ObjectMapper().readTree(Json.write(b));
        assertEquals("4194304", json.get("Size").textValue());
        assertEquals("2097171", json.get("NewlyUploadedDataSize").textValue());
        assertEquals(0, json.get("Blocks").get(0).get("Offset").intValue());
        assertTrue(json.get("Parameters").isNull());
        assertEquals("", json.get("SingleFile").get("FilePath").textValue());
    }

    @Test
    void backupUrlsCarryVolumeAndBackupAsQueryParameters() {
        String url = BackupUrl.format("s3://bucket@us-east-1/path", "vol1", "backup-1");
        assertEquals("s3://bucket@us-east-1/path?backup=backup-1&volume=vol1", url);
        BackupUrl parsed = BackupUrl.parse(url, true);
        assertEquals(new BackupUrl("s3://bucket@us-east-1/path", "vol1", "backup-1"), parsed);
        BackupUrl nfs = BackupUrl.parse("nfs://srv:/export?nfsOptions=soft&backup=b&volume=v", true);
        assertEquals("nfs://srv:/export?nfsOptions=soft", nfs.target());
        assertThrows(InvalidInputException.class, () -> BackupUrl.parse("s3://b@r/p?backup=b", true));
        assertThrows(InvalidInputException.class, () -> BackupUrl.parse("s3://b@r/p?volume=v", true));
    }

    private static List<String> iterate(JsonNode json) {
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
