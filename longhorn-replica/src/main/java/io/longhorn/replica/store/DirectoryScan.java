package io.longhorn.replica.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * What {@link Replica#open} does before it trusts a directory: finishes or undoes what a crash in
 * the middle of a multi-file change left behind, then reads every layer's metadata.
 *
 * <p>Every change writes its files in an order that makes one atomic rename the commit point, and
 * these rules take any state between two steps to the state before the commit or after the change:
 * <ol>
 *   <li>{@code *.tmp} files are half-written metadata: deleted.</li>
 *   <li>{@code volume.meta}'s {@code Head} is the head. Any other head file (and its .meta) is
 *       either a new head whose snapshot or revert never committed, or the old head after one that
 *       did: deleted.</li>
 *   <li>A snapshot file that is a second name (hard link) of the head is a snapshot that never
 *       committed: deleted.</li>
 *   <li>{@code Size} is the volume's size: the head file is set to that length (an expand grows
 *       the head before it commits the new size).</li>
 *   <li>The chain is the head's .meta {@code Parent}, then each snapshot's. A purge re-parents the
 *       child (the commit point) before it rewrites {@code volume.meta}'s {@code Parent}, so
 *       {@link Replica#open} copies the head's parent into {@code volume.meta}.</li>
 *   <li>A removed snapshot that no layer names as its parent is one a purge committed but did not
 *       yet delete (its image may be gone already, its .meta not): its files are deleted, as the
 *       purge would have. Not while rebuilding, when parents are written before their children.</li>
 *   <li>{@code volume.deleted} (the tombstone a delete renames {@code volume.meta} to) means the
 *       replica was deleted: its remaining layer files are removed.</li>
 * </ol>
 */
final class DirectoryScan {
    private static final Logger LOG = Logger.getLogger(DirectoryScan.class);
    /** What {@code volume.meta} is renamed to when the replica is deleted. */
    static final String TOMBSTONE = "volume.deleted";

    private DirectoryScan() {
    }

    /** Removes what a crash in the middle of a chain change left behind; volume.meta is the truth. */
    static void recover(Path dir, VolumeMeta meta) {
        String head = meta.head();
        Path headPath = dir.resolve(head);
        try {
            // Checks first: a volume.meta that is well-formed but wrong must not delete anything.
            if (!Files.exists(headPath)) {
                throw new CorruptMetadataException("head file " + head + " named by " + dir.resolve(VolumeMeta.FILE) + " does not exist");
            }
            if (!Files.exists(dir.resolve(head + LayerMeta.SUFFIX))) {
                throw new CorruptMetadataException("head " + head + " of replica " + dir + " has no metadata");
            }
            if (Files.size(headPath) > meta.size()) {
                for (Extent e : NativeFiles.dataExtents(headPath, Replica.BLOCK_SIZE)) {
                    if (e.end() > meta.size()) {
                        throw new CorruptMetadataException("head " + head + " of replica " + dir + " holds data at "
                                + e.offset() + ", beyond the Size " + meta.size() + " in " + dir.resolve(VolumeMeta.FILE));
                    }
                }
            }
        } catch (IOException e) {
            throw new ReplicaIOException("failed to recover replica " + dir, e);
        }
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
            long length = Files.size(headPath);
            if (length != meta.size()) {
                // Longer: an expand that did not commit (nothing is ever written beyond Size, and
                // that the head holds no data there was checked above).
                // Shorter: one whose growth of the head did not reach the disk before volume.meta.
                LOG.infof("replica %s: head %s is %d bytes long; setting it to the size %d", dir, head, length, meta.size());
                try (RandomAccessFile raf = new RandomAccessFile(headPath.toFile(), "rw")) {
                    raf.setLength(meta.size());
                    raf.getChannel().force(true);
                }
            }
            MetaFiles.syncDirectory(dir);
        } catch (IOException e) {
            throw new ReplicaIOException("failed to recover replica " + dir, e);
        }
    }

    static Map<String, LayerMeta> loadMetas(Path dir, VolumeMeta meta) {
        Map<String, LayerMeta> metas = new HashMap<>();
        Set<String> withoutImage = new HashSet<>();
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
                metas.put(img, MetaFiles.read(p, LayerMeta.class).withName(img));
                if (!Files.exists(dir.resolve(img))) {
                    withoutImage.add(img);
                }
            }
            if (!meta.rebuilding()) {
                finishPurges(dir, metas, withoutImage);
            }
            for (String img : withoutImage) {
                if (meta.rebuilding() && LayerFiles.isSnapshot(img)) {
                    Replica.createSparse(dir.resolve(img), meta.size()); // an interrupted rebuild prepare
                } else {
                    throw new CorruptMetadataException("layer " + img + " of replica " + dir + " has metadata but no data file");
                }
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

    /** Deletes removed snapshots that no layer depends on, until none is left (rule 6). */
    private static void finishPurges(Path dir, Map<String, LayerMeta> metas, Set<String> withoutImage) throws IOException {
        boolean changed = true;
        while (changed) {
            changed = false;
            Set<String> parents = new HashSet<>();
            for (LayerMeta m : metas.values()) {
                parents.add(m.parent());
            }
            for (LayerMeta m : List.copyOf(metas.values())) {
                if (m.removed() && LayerFiles.isSnapshot(m.name()) && !parents.contains(m.name())) {
                    LOG.infof("replica %s: deleting removed snapshot %s, which no layer depends on (an interrupted purge)",
                            dir, m.name());
                    Files.deleteIfExists(dir.resolve(m.name()));
                    Files.deleteIfExists(dir.resolve(m.name() + LayerMeta.SUFFIX));
                    metas.remove(m.name());
                    withoutImage.remove(m.name());
                    changed = true;
                }
            }
        }
        MetaFiles.syncDirectory(dir);
    }

    /** Removes the layer files and the tombstone of a deleted replica (rule 7). */
    static void finishDelete(Path dir) {
        try {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    if (isReplicaFile(p.getFileName().toString())) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            MetaFiles.syncDirectory(dir);
            Files.deleteIfExists(dir.resolve(TOMBSTONE));
            MetaFiles.syncDirectory(dir);
        } catch (IOException e) {
            throw new ReplicaIOException("failed to finish deleting replica " + dir, e);
        }
    }

    /**
     * Before a create: clears what an interrupted create (a first head without volume.meta) or
     * delete (a tombstone) left. Any other layer file without volume.meta may be someone's data,
     * so the create is refused rather than overwriting it.
     */
    static void clearLeftovers(Path dir) throws IOException {
        if (Files.exists(dir.resolve(TOMBSTONE))) {
            LOG.infof("replica %s: finishing an interrupted delete before creating a new replica", dir);
            finishDelete(dir);
            return;
        }
        String firstHead = LayerFiles.headFile(0);
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (!isReplicaFile(n)) {
                    continue;
                }
                String base = n.endsWith(MetaFiles.TMP_SUFFIX) ? n.substring(0, n.length() - MetaFiles.TMP_SUFFIX.length()) : n;
                if (!base.equals(firstHead) && !base.equals(firstHead + LayerMeta.SUFFIX) && !base.equals(VolumeMeta.FILE)) {
                    throw new CorruptMetadataException(dir + " holds " + n + " but no " + VolumeMeta.FILE
                            + "; refusing to create a replica over layer files that may hold data");
                }
            }
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (isReplicaFile(p.getFileName().toString())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Files a replica owns in its directory: layers, their .meta, temporary metadata files. */
    private static boolean isReplicaFile(String n) {
        return n.startsWith(LayerFiles.HEAD_PREFIX) || n.startsWith(LayerFiles.SNAP_PREFIX)
                || n.startsWith("volume") && n.endsWith(MetaFiles.TMP_SUFFIX);
    }
}
