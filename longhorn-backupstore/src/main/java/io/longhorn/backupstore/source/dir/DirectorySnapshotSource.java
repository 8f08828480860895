package io.longhorn.backupstore.source.dir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.source.Extent;
import io.longhorn.backupstore.source.SnapshotSource;
import io.longhorn.backupstore.source.SourceInfo;
import io.longhorn.backupstore.source.SourceSnapshot;
import io.longhorn.backupstore.source.VolumeNameHint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Reads a replica directory in Longhorn's layout. {@code .meta} files may name parents by file
 * ({@code volume-snap-s1.img}, as upstream does) or by snapshot name; both are understood. The
 * replica should not be changing while it is read (stopped, or the snapshot files are immutable
 * anyway: only the head is written).
 */
public final class DirectorySnapshotSource implements SnapshotSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SNAP_PREFIX = "volume-snap-";
    private static final String IMG = ".img";

    private final Path dir;
    private final Map<String, FileChannel> channels = new ConcurrentHashMap<>();

    /**
     * @throws NotFoundException when {@code dir} has no {@code volume.meta}
     */
    public DirectorySnapshotSource(Path dir) {
        if (!Files.isRegularFile(dir.resolve("volume.meta"))) {
            throw new NotFoundException("replica directory " + dir + " has no volume.meta");
        }
        this.dir = dir.toAbsolutePath().normalize();
    }

    private String description() {
        return "replica directory " + dir;
    }

    @Override
    public SourceInfo info() {
        JsonNode volume = readJson(dir.resolve("volume.meta"));
        long size = volume.path("Size").asLong(-1);
        if (size <= 0) {
            throw new InvalidInputException(dir.resolve("volume.meta") + " has no valid Size");
        }
        String headFile = volume.path("Head").asText("");
        List<SourceSnapshot> snapshots = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path meta : files.filter(p -> p.getFileName().toString().endsWith(IMG + ".meta")).sorted().toList()) {
                String file = meta.getFileName().toString();
                file = file.substring(0, file.length() - ".meta".length());
                boolean head = file.equals(headFile);
                if (!head && !file.startsWith(SNAP_PREFIX)) {
                    continue; // an older head left behind, or a file we do not know
                }
                JsonNode m = readJson(meta);
                String name = head ? "volume-head" : snapshotName(file);
                snapshots.add(new SourceSnapshot(name, file, parentName(m.path("Parent").asText("")),
                        m.path("Created").asText(""), head, m.path("Removed").asBoolean(false)));
            }
        } catch (IOException e) {
            throw new TargetIOException("cannot list " + description() + ": " + e.getMessage(), e);
        }
        return new SourceInfo(description(), size, snapshots, VolumeNameHint.fromDirectory(dir.getFileName().toString()));
    }

    static String snapshotName(String file) {
        if (file.startsWith(SNAP_PREFIX) && file.endsWith(IMG)) {
            return file.substring(SNAP_PREFIX.length(), file.length() - IMG.length());
        }
        return file;
    }

    static String parentName(String parent) {
        return parent.endsWith(IMG) ? snapshotName(parent) : parent;
    }

    private JsonNode readJson(Path p) {
        try {
            return JSON.readTree(Files.readAllBytes(p));
        } catch (IOException e) {
            throw new TargetIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private Path layer(String file) {
        Path p = dir.resolve(file).normalize();
        if (!p.getParent().equals(dir) || !file.endsWith(IMG)) {
            throw new InvalidInputException("invalid layer file name " + file + " in " + description());
        }
        return p;
    }

    @Override
    public List<Extent> extents(String file) {
        try {
            return SparseFiles.dataExtents(layer(file));
        } catch (IOException e) {
            throw new TargetIOException("cannot map the extents of " + file + " in " + description() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void read(String file, List<Extent> extents, long base, byte[] buf) {
        FileChannel ch = channels.computeIfAbsent(file, f -> {
            try {
                return FileChannel.open(layer(f), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new NotFoundException("layer " + f + " not found in " + description());
            } catch (IOException e) {
                throw new TargetIOException("cannot open " + f + " in " + description() + ": " + e.getMessage(), e);
            }
        });
        try {
            for (Extent e : extents) {
                ByteBuffer bb = ByteBuffer.wrap(buf, (int) (e.offset() - base), (int) e.length());
                long pos = e.offset();
                while (bb.hasRemaining()) {
                    int n = ch.read(bb, pos);
                    if (n < 0) {
                        // past the end of a short file: the rest reads as zeros, as a hole would
                        while (bb.hasRemaining()) {
                            bb.put((byte) 0);
                        }
                        break;
                    }
                    pos += n;
                }
            }
        } catch (IOException e) {
            throw new TargetIOException("cannot read " + file + " in " + description() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only channel: nothing to lose
            }
        }
        channels.clear();
    }
}
