package io.longhorn.manager.api.dto;

/**
 * The volume's engine: where it runs and its frontend endpoint. {@code frontendDevice}: for frontend
 * {@code blockdev}, the block device behind the endpoint and the path it takes (kernel NBD client, or
 * userspace and slower).
 */
public record ControllerView(String name, String hostId, String address, boolean running, String endpoint, String size,
                             String actualSize, String image, String currentImage, boolean isExpanding,
                             String lastExpansionError, String lastRestoredBackup, String instanceManagerName,
                             String frontendDevice) {
}
