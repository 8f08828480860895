package io.longhorn.manager.standalone;

import io.longhorn.manager.model.DiskSpec;
import io.longhorn.manager.model.EngineImage;
import io.longhorn.manager.model.Node;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.settings.Settings;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.ResourceStore;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.Retry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Makes sure this host exists as the one Node, with its default disk (the data directory, as
 * upstream's {@code default-data-path}) and the space reserved on it by
 * {@code storage-reserved-percentage-for-default-disk}; and that the local engine image exists.
 */
final class StandaloneNode {
    static final String ENGINE_IMAGE = "ei-local";

    private StandaloneNode() {
    }

    static void ensure(ResourceStore store, Settings settings, String nodeName, Path defaultDisk) throws IOException {
        ensure(store, settings, nodeName, "", defaultDisk);
    }

    /** As {@link #ensure(ResourceStore, Settings, String, Path)}, and records the node's zone (empty: none). */
    static void ensure(ResourceStore store, Settings settings, String nodeName, String zone, Path defaultDisk)
            throws IOException {
        if (store.get(Node.class, nodeName).isEmpty()) {
            Files.createDirectories(defaultDisk);
            Node node = Resources.create(Node.class, nodeName);
            node.getSpec().name = nodeName;
            DiskSpec disk = new DiskSpec();
            disk.path = defaultDisk.toString();
            long total = Files.getFileStore(defaultDisk).getTotalSpace();
            disk.storageReserved = total * settings.integer(SettingNames.STORAGE_RESERVED_PERCENTAGE_FOR_DEFAULT_DISK) / 100;
            node.getSpec().disks.put(defaultDiskName(defaultDisk), disk);
            try {
                store.create(node);
            } catch (AlreadyExistsException e) {
                // another start got there first
            }
        }
        Retry.updateStatus(store, Node.class, nodeName, n -> {
            if (zone.equals(n.getStatus().zone)) {
                return false;
            }
            n.getStatus().zone = zone;
            return true;
        });
        if (store.get(EngineImage.class, ENGINE_IMAGE).isEmpty()) {
            EngineImage ei = Resources.create(EngineImage.class, ENGINE_IMAGE);
            ei.getSpec().image = "longhorn-engine:local";
            try {
                EngineImage created = store.create(ei);
                created.getStatus().state = "deployed";
                created.getStatus().nodeDeploymentMap.put(nodeName, true);
                created.getStatus().version = "local";
                store.updateStatus(created);
            } catch (AlreadyExistsException e) {
                // exists
            }
        }
    }

    /** {@code default-disk-<8 hex>}, stable for a path, as upstream names default disks. */
    static String defaultDiskName(Path path) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(path.toString().getBytes(StandardCharsets.UTF_8));
            return "default-disk-" + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
