package io.longhorn.backupstore.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.longhorn.backupstore.source.Extent;
import io.longhorn.backupstore.source.dir.SparseFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A replica directory in Longhorn's layout written by the test, with an in-memory model of what
 * the volume holds, so a test knows each snapshot's content checksum. Writes go to the head layer
 * file (sparse); {@link #snapshot} turns the head into {@code volume-snap-<name>.img}.
 */
public final class TestVolume {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final long size;
    private final byte[] model;
    private final Map<String, String> snapshotSha = new HashMap<>();
    private int headIndex;
    private String parentFile = "";
    private Instant clock = Instant.parse("2026-01-01T00:00:00Z");

    private TestVolume(Path dir, long size) {
        this.dir = dir;
        this.size = size;
        this.model = new byte[Math.toIntExact(size)];
    }

    public static TestVolume create(Path dir, long size) throws IOException {
        Files.createDirectories(dir);
        TestVolume v = new TestVolume(dir, size);
        v.newHead();
        return v;
    }

    public Path dir() {
        return dir;
    }

    public long size() {
        return size;
    }

    private String headFile() {
        return String.format("volume-head-%03d.img", headIndex);
    }

    private void newHead() throws IOException {
        Path head = dir.resolve(headFile());
        try (FileChannel ch = FileChannel.open(head, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        try (var raf = new java.io.RandomAccessFile(head.toFile(), "rw")) {
            raf.setLength(size);
        }
        writeJson(dir.resolve(headFile() + ".meta"), meta(headFile(), parentFile, ""));
        Map<String, Object> vm = new LinkedHashMap<>();
        vm.put("Size", size);
        vm.put("Head", headFile());
        vm.put("Dirty", false);
        vm.put("Rebuilding", false);
        vm.put("Error", "");
        vm.put("Parent", parentFile);
        vm.put("SectorSize", 4096);
        vm.put("BackingFilePath", "");
        writeJson(dir.resolve("volume.meta"), vm);
    }

    private static Map<String, Object> meta(String name, String parent, String created) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", name);
        m.put("Parent", parent);
        m.put("Removed", false);
        m.put("UserCreated", true);
        m.put("Created", created);
        m.put("Labels", Map.of());
        return m;
    }

    private static void writeJson(Path p, Object value) throws IOException {
        Files.write(p, JSON.writeValueAsBytes(value));
    }

    /**
     * Writes {@code data} at {@code offset} to the head. 4 KiB aligned, as the engine writes to
     * replicas: a layer owns whole 4 KiB blocks.
     */
    public TestVolume write(long offset, byte[] data) throws IOException {
        if (offset % 4096 != 0 || data.length % 4096 != 0) {
            throw new IllegalArgumentException("unaligned test write at " + offset + " of " + data.length);
        }
        try (FileChannel ch = FileChannel.open(dir.resolve(headFile()), StandardOpenOption.WRITE)) {
            ByteBuffer bb = ByteBuffer.wrap(data);
            long pos = offset;
            while (bb.hasRemaining()) {
                pos += ch.write(bb, pos);
            }
        }
        System.arraycopy(data, 0, model, (int) offset, data.length);
        return this;
    }

    /** Writes {@code length} random bytes at {@code offset}. */
    public TestVolume writeRandom(long offset, int length, long seed) throws IOException {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return write(offset, b);
    }

    /** Writes {@code length} copies of {@code value} at {@code offset}. */
    public TestVolume fill(long offset, int length, int value) throws IOException {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return write(offset, b);
    }

    /** Turns the head into snapshot {@code name} and opens a new head, as a replica does. */
    public TestVolume snapshot(String name) throws IOException {
        clock = clock.plus(1, ChronoUnit.MINUTES);
        String snapFile = "volume-snap-" + name + ".img";
        Files.move(dir.resolve(headFile()), dir.resolve(snapFile));
        Files.delete(dir.resolve(headFile() + ".meta"));
        writeJson(dir.resolve(snapFile + ".meta"), meta(snapFile, parentFile, clock.toString()));
        parentFile = snapFile;
        headIndex++;
        newHead();
        snapshotSha.put(name, sha256(model, model.length));
        return this;
    }

    /**
     * Removes snapshot {@code name} as a replica does: its child snapshot's data is merged over it,
     * and the merged layer takes the child's file name and metadata (name, creation time) and the
     * removed snapshot's parent. What the volume and every remaining snapshot hold does not change.
     * The child must be a snapshot, not the head.
     */
    @SuppressWarnings("unchecked")
    public TestVolume removeSnapshot(String name) throws IOException {
        String file = "volume-snap-" + name + ".img";
        Map<String, Object> removed = JSON.readValue(dir.resolve(file + ".meta").toFile(), Map.class);
        String child = null;
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(x -> x.getFileName().toString().startsWith("volume-snap-")
                    && x.getFileName().toString().endsWith(".img.meta")).toList()) {
                Map<String, Object> m = JSON.readValue(p.toFile(), Map.class);
                if (file.equals(m.get("Parent"))) {
                    child = (String) m.get("Name");
                }
            }
        }
        if (child == null) {
            throw new IllegalArgumentException("snapshot " + name + " has no child snapshot to merge into");
        }
        try (FileChannel from = FileChannel.open(dir.resolve(child), StandardOpenOption.READ);
             FileChannel to = FileChannel.open(dir.resolve(file), StandardOpenOption.WRITE)) {
            for (Extent e : SparseFiles.dataExtents(dir.resolve(child))) {
                long done = 0;
                while (done < e.length()) {
                    done += from.transferTo(e.offset() + done, e.length() - done, to.position(e.offset() + done));
                }
            }
            to.force(true);
        }
        Files.move(dir.resolve(file), dir.resolve(child), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path childMeta = dir.resolve(child + ".meta");
        Map<String, Object> m = JSON.readValue(childMeta.toFile(), Map.class);
        m.put("Parent", removed.get("Parent"));
        writeJson(childMeta, m);
        Files.delete(dir.resolve(file + ".meta"));
        return this;
    }

    /** SHA-256 of what the volume held at snapshot {@code name}. */
    public String contentSha(String name) {
        return snapshotSha.get(name);
    }

    /** A copy of what the volume holds now. */
    public byte[] content() {
        return model.clone();
    }

    public static String sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of the first {@code length} bytes of a file (holes read as zeros). */
    public static String sha256(Path file, long length) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer bb = ByteBuffer.allocate(1 << 20);
                long pos = 0;
                while (pos < length) {
                    bb.clear().limit((int) Math.min(bb.capacity(), length - pos));
                    int n = ch.read(bb, pos);
                    if (n < 0) {
                        break;
                    }
                    md.update(bb.flip());
                    pos += n;
                }
                while (pos < length) { // short file: the rest reads as zeros
                    int n = (int) Math.min(1 << 20, length - pos);
                    md.update(new byte[n]);
                    pos += n;
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
