package io.longhorn.manager.controller.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.longhorn.manager.store.Resources;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Looks at a disk directory on this node. A disk is known by the UUID in its
 * {@code longhorn-disk.cfg} (JSON {@code diskName}, {@code diskUUID}, as upstream), written on first
 * sight, so that a disk moved to another path keeps its identity.
 */
final class DiskProbe {
    static final String CONFIG = "longhorn-disk.cfg";

    /** What was found. */
    record Probe(String uuid, long maximum, long available, String fsType) {
    }

    private DiskProbe() {
    }

    static Probe probe(String diskName, Path dir) throws IOException {
        Files.createDirectories(dir.resolve("replicas"));
        Path cfg = dir.resolve(CONFIG);
        String uuid;
        if (Files.exists(cfg)) {
            uuid = Resources.JSON.readTree(cfg.toFile()).path("diskUUID").asText("");
        } else {
            uuid = "";
        }
        if (uuid.isEmpty()) {
            uuid = UUID.randomUUID().toString();
            ObjectNode json = Resources.JSON.createObjectNode().put("diskName", diskName).put("diskUUID", uuid);
            Path tmp = dir.resolve(CONFIG + ".tmp");
            Files.write(tmp, Resources.JSON.writeValueAsBytes(json));
            Files.move(tmp, cfg, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        FileStore store = Files.getFileStore(dir);
        return new Probe(uuid, store.getTotalSpace(), store.getUsableSpace(), store.type());
    }
}
