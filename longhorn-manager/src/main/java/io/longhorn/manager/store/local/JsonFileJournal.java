package io.longhorn.manager.store.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * One JSON file per object under {@code <dir>/<plural>/<name>.json}. A write goes to
 * {@code .<name>.json.tmp}, is fsynced, renamed over the old file, and the directory is fsynced:
 * after a crash the file holds the old or the new object, never a torn mix. Leftover temporary files
 * are ignored (and removed) at load.
 */
public final class JsonFileJournal {
    private static final Logger LOG = Logger.getLogger(JsonFileJournal.class);

    private final Path dir;

    public JsonFileJournal(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create store directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** An object read back at start. */
    public record Entry(String plural, String name, ObjectNode object) {
    }

    public void save(String plural, String name, ObjectNode object) {
        Path kindDir = dir.resolve(plural);
        Path target = kindDir.resolve(name + ".json");
        Path tmp = kindDir.resolve("." + name + ".json.tmp");
        try {
            Files.createDirectories(kindDir);
            byte[] bytes = Resources.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(object);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(kindDir);
        } catch (IOException e) {
            throw new StoreException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    public void remove(String plural, String name) {
        Path kindDir = dir.resolve(plural);
        try {
            Files.deleteIfExists(kindDir.resolve(name + ".json"));
            syncDirectory(kindDir);
        } catch (IOException e) {
            throw new StoreException("cannot remove " + plural + "/" + name + ": " + e.getMessage(), e);
        }
    }

    public List<Entry> loadAll() {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (Stream<Path> kinds = Files.list(dir)) {
            for (Path kindDir : kinds.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(kindDir)) {
                    for (Path f : files.sorted().toList()) {
                        String file = f.getFileName().toString();
                        if (file.endsWith(".tmp")) {
                            Files.deleteIfExists(f);
                        } else if (file.endsWith(".json")) {
                            String name = file.substring(0, file.length() - ".json".length());
                            entries.add(new Entry(kindDir.getFileName().toString(), name,
                                    (ObjectNode) Resources.JSON.readTree(f.toFile())));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read store directory " + dir + ": " + e.getMessage(), e);
        }
        LOG.debugf("loaded %d objects from %s", entries.size(), dir);
        return entries;
    }

    private static void syncDirectory(Path d) {
        // The rename is durable only once the directory entry is on disk.
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debugf("cannot fsync directory %s: %s", d, e.getMessage());
        }
    }
}
