package io.longhorn.backupstore.format;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.Map;

/**
 * {@code volume.cfg}: one backup volume. Field names (and the string encoding of numbers) are
 * upstream's.
 *
 * @param name              volume name
 * @param size              volume size in bytes at its last backup
 * @param labels            volume labels
 * @param createdTime       when the backup volume was created (RFC 3339)
 * @param lastBackupName    the newest backup; incremental backups start from it
 * @param lastBackupAt      creation time of the snapshot of the newest backup
 * @param blockCount        number of distinct blocks stored for the volume
 * @param compressionMethod compression of every block of this volume
 */
@JsonPropertyOrder({"Name", "Size", "Labels", "CreatedTime", "LastBackupName", "LastBackupAt", "BlockCount",
        "BackingImageName", "BackingImageChecksum", "CompressionMethod", "StorageClassName", "DataEngine"})
public record VolumeConfig(
        @JsonProperty("Name") String name,
        @JsonProperty("Size") @JsonFormat(shape = JsonFormat.Shape.STRING) long size,
        @JsonProperty("Labels") Map<String, String> labels,
        @JsonProperty("CreatedTime") String createdTime,
        @JsonProperty("LastBackupName") String lastBackupName,
        @JsonProperty("LastBackupAt") String lastBackupAt,
        @JsonProperty("BlockCount") @JsonFormat(shape = JsonFormat.Shape.STRING) long blockCount,
        @JsonProperty("BackingImageName") @JsonSerialize(using = QuotedString.Serializer.class)
        @JsonDeserialize(using = QuotedString.Deserializer.class) String backingImageName,
        @JsonProperty("BackingImageChecksum") @JsonSerialize(using = QuotedString.Serializer.class)
        @JsonDeserialize(using = QuotedString.Deserializer.class) String backingImageChecksum,
        @JsonProperty("CompressionMethod") @JsonSerialize(using = QuotedString.Serializer.class)
        @JsonDeserialize(using = QuotedString.Deserializer.class) String compressionMethod,
        @JsonProperty("StorageClassName") @JsonSerialize(using = QuotedString.Serializer.class)
        @JsonDeserialize(using = QuotedString.Deserializer.class) String storageClassName,
        @JsonProperty("DataEngine") @JsonSerialize(using = QuotedString.Serializer.class)
        @JsonDeserialize(using = QuotedString.Deserializer.class) String dataEngine) {

    /** A backup volume that has no backup yet. */
    public static VolumeConfig create(String name, long size, Map<String, String> labels, Compression compression) {
        return new VolumeConfig(name, size, labels == null ? Map.of() : Map.copyOf(labels), Times.now(), "", "", 0,
                "", "", compression.method(), "", "v1");
    }

    public VolumeConfig withLastBackup(String backupName, String snapshotCreatedAt, long newSize, long newBlockCount) {
        return new VolumeConfig(name, newSize, labels, createdTime, backupName, snapshotCreatedAt, newBlockCount,
                backingImageName, backingImageChecksum, compressionMethod, storageClassName, dataEngine);
    }

    public VolumeConfig withBlockCount(long newBlockCount) {
        return new VolumeConfig(name, size, labels, createdTime, lastBackupName, lastBackupAt, newBlockCount,
                backingImageName, backingImageChecksum, compressionMethod, storageClassName, dataEngine);
    }

    /** The compression of this volume's blocks; lz4 when the file does not say. */
    public Compression compression() {
        return Compression.parse(compressionMethod);
    }
}
