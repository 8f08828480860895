package io.longhorn.backupstore.format;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * {@code backups/backup_<name>.cfg}: one complete backup. It lists every block of the snapshot
 * (not only the changed ones), so each backup restores on its own. Written last: a backup without
 * its cfg does not exist. Field names are upstream's; {@code VolumeSize} and {@code VolumeCreated}
 * are extra (upstream ignores unknown fields) so that a restore knows the size at backup time.
 *
 * @param size                  bytes of data: number of blocks x block size
 * @param newlyUploadedDataSize compressed bytes this backup stored that were not in the store
 */
@JsonPropertyOrder({"Name", "VolumeName", "SnapshotName", "SnapshotCreatedAt", "CreatedTime", "Size", "Labels",
        "Parameters", "IsIncremental", "VolumeSize", "VolumeCreated", "CompressionMethod", "NewlyUploadedDataSize",
        "ReUploadedDataSize", "ProcessingBlocks", "Blocks", "SingleFile"})
public record BackupConfig(
        @JsonProperty("Name") String name,
        @JsonProperty("VolumeName") String volumeName,
        @JsonProperty("SnapshotName") String snapshotName,
        @JsonProperty("SnapshotCreatedAt") String snapshotCreatedAt,
        @JsonProperty("CreatedTime") String createdTime,
        @JsonProperty("Size") @JsonFormat(shape = JsonFormat.Shape.STRING) long size,
        @JsonProperty("Labels") Map<String, String> labels,
        @JsonProperty("Parameters") Map<String, String> parameters,
        @JsonProperty("IsIncremental") boolean incremental,
        @JsonProperty("VolumeSize") @JsonFormat(shape = JsonFormat.Shape.STRING) long volumeSize,
        @JsonProperty("VolumeCreated") String volumeCreated,
        @JsonProperty("CompressionMethod") String compressionMethod,
        @JsonProperty("NewlyUploadedDataSize") @JsonFormat(shape = JsonFormat.Shape.STRING) long newlyUploadedDataSize,
        @JsonProperty("ReUploadedDataSize") @JsonFormat(shape = JsonFormat.Shape.STRING) long reUploadedDataSize,
        @JsonProperty("ProcessingBlocks") Object processingBlocks,
        @JsonProperty("Blocks") List<BlockMapping> blocks,
        @JsonProperty("SingleFile") SingleFile singleFile) {

    /** Upstream's (unused) single-file backup field, kept for format fidelity. */
    public record SingleFile(@JsonProperty("FilePath") String filePath) {
    }

    public List<BlockMapping> blocksOrEmpty() {
        return blocks == null ? List.of() : blocks;
    }

    public Map<String, String> labelsOrEmpty() {
        return labels == null ? Map.of() : labels;
    }

    /** The compression of this backup's blocks, falling back to the volume's. */
    public Compression compression(VolumeConfig volume) {
        if (compressionMethod != null && !compressionMethod.isBlank()) {
            return Compression.parse(compressionMethod);
        }
        return volume == null ? Compression.LZ4 : volume.compression();
    }
}
