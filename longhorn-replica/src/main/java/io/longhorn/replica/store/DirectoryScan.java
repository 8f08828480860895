package io.longhorn.replica.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What {@link Replica#open} does before it trusts a directory: removes what a crash in the middle
 * of a chain change left behind, then reads every layer's metadata. {@code volume.meta} is the
 * truth; a head it does not name, or a snapshot that is still the head under a second name, never
 * got committed.
 */
final class DirectoryScan {
    private static final Logger LOG = Logger.getLogger(DirectoryScan.class);

    private DirectoryScan() {
    }

    /** Removes what a crash in the middle of a chain change left behind; volume.meta is the truth. */
    static void recover(Path dir, VolumeMeta meta) {
        String head = meta.head();
        Path headPath = dir.resolve(head);
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(MetaFiles.TMP_SUFFIX)) {
                    Files.deleteIfExists(p);
                } else if (LayerFiles.isHead(n) && !n.equals(head)) {
                    LOG.infof("replica %s: removing stale head %s left by an interrupted snapshot or revert", dir, n);
                    Files.deleteIfExists(p);
                    Files.deleteIfExists(dir.resolve(n + LayerMeta.SUFFIX));
                } else if (n.endsWith(LayerMeta.SUFFIX) && LayerFiles.isHead(n.substring(0, n.length() - LayerMeta.SUFFIX.length()))
                        && !n.equals(head + LayerMeta.SUFFIX)) {
                    Files.deleteIfExists(p);
                }
            }
            if (!Files.exists(headPath)) {
                throw new CorruptMetadataException("head file " + head + " named by " + dir.resolve(VolumeMeta.FILE) + " does not exist");
            }
            try (var snaps = Files.list(dir)) {
                for (Path p : snaps.toList()) {
                    String n = p.getFileName().toString();
                    if (LayerFiles.isSnapshot(n) && Files.isSameFile(p, headPath)) {
                        // A snapshot whose commit never happened: the head still has this name too.
                        LOG.infof("replica %s: removing %s left by an interrupted snapshot", dir, n);
                        Files.deleteIfExists(p);
                        Files.deleteIfExists(dir.resolve(n + LayerMeta.SUFFIX));
                    }
                }
            }
            MetaFiles.syncDirectory(dir);
        } catch (IOException e) {
            throw new ReplicaIOException("failed to recover replica " + dir, e);
        }
    }

    static Map<String, LayerMeta> loadMetas(Path dir, VolumeMeta meta) {
        Map<String, LayerMeta> metas = new HashMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (!n.endsWith(LayerMeta.SUFFIX)) {
                    continue;
                }
                String img = n.substring(0, n.length() - LayerMeta.SUFFIX.length());
                if (!LayerFiles.isSnapshot(img) && !LayerFiles.isHead(img)) {
                    continue;
                }
                LayerMeta m = MetaFiles.read(p, LayerMeta.class).withName(img);
                if (!Files.exists(dir.resolve(img))) {
                    if (meta.rebuilding() && LayerFiles.isSnapshot(img)) {
                        Replica.createSparse(dir.resolve(img), meta.size()); // an interrupted rebuild prepare
                    } else {
                        throw new CorruptMetadataException("layer " + img + " of replica " + dir + " has metadata but no data file");
                    }
                }
                metas.put(img, m);
            }
            try (var imgs = Files.list(dir)) {
                for (Path p : imgs.toList()) {
                    String n = p.getFileName().toString();
                    if (LayerFiles.isSnapshot(n) && !metas.containsKey(n)) {
                        throw new CorruptMetadataException("snapshot file " + n + " of replica " + dir + " has no metadata");
                    }
                }
            }
        } catch (IOException e) {
            throw new ReplicaIOException("failed to read the layers of replica " + dir, e);
        }
        if (!metas.containsKey(meta.head())) {
            throw new CorruptMetadataException("head " + meta.head() + " of replica " + dir + " has no metadata");
        }
        return metas;
    }
}
