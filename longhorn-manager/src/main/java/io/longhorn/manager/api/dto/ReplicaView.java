package io.longhorn.manager.api.dto;

/** A replica of a volume: where it is, whether it runs, and its mode in the engine (RW, WO, ERR). */
public record ReplicaView(String name, String hostId, String address, boolean running, String mode, String failedAt,
                          String diskID, String diskPath, String dataPath, String image, String currentImage,
                          String instanceManagerName) {
}
