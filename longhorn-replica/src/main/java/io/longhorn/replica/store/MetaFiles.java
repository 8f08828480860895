package io.longhorn.replica.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Reads and atomically replaces the replica's small JSON metadata files.
 *
 * <p>A replacement is written to {@code <file>.tmp}, fsynced, renamed over the old file, and then
 * the directory is fsynced: after a crash the file is either wholly old or wholly new, never torn,
 * and the rename itself survives power loss.
 */
final class MetaFiles {
    static final String TMP_SUFFIX = ".tmp";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private MetaFiles() {
    }

    static <T> T read(Path file, Class<T> type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("metadata file " + file + " does not exist");
        } catch (IOException e) {
            throw new ReplicaIOException("failed to read " + file, e);
        }
        try {
            T value = JSON.readValue(bytes, type);
            if (value == null) {
                throw new CorruptMetadataException("metadata file " + file + " is empty");
            }
            return value;
        } catch (IOException e) {
            throw new CorruptMetadataException("metadata file " + file + " is corrupt: " + firstLine(e.getMessage()), e);
        }
    }

    static void write(Path file, Object value) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value, e);
        }
        Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new ReplicaIOException("failed to write " + file, e);
        }
    }

    /** Makes creations, renames and deletions in a directory durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unparseable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
