package io.longhorn.backupstore.driver.file;

import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.error.TargetIOException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A target that is a directory. Files are written to a hidden temporary name in the same
 * directory and renamed into place, so a process killed mid-write never leaves a partial file
 * under a real name. Writes are not fsynced one by one; {@link #sync()} makes everything written
 * since the last call durable (fsync of each file and directory, or one syncfs when there are
 * many), which the backup does before it writes a cfg that references the blocks.
 */
public final class FileDriver implements BackupStoreDriver {
    private static final String TMP_MARK = ".tmp-";
    /** Above this many files to make durable, one syncfs of the file system is cheaper. */
    private static final int FSYNC_LIMIT = 8;

    private final Path root;
    private final String url;
    private final Set<Path> unsynced = ConcurrentHashMap.newKeySet();

    /**
     * @throws InvalidInputException when {@code root} is not an existing directory
     */
    public FileDriver(Path root, String url) {
        if (!Files.isDirectory(root)) {
            throw new InvalidInputException("backup target directory " + root + " does not exist (target " + url + ")");
        }
        this.root = root.toAbsolutePath().normalize();
        this.url = url;
    }

    @Override
    public String url() {
        return url;
    }

    private Path resolve(String path) {
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root)) {
            throw new InvalidInputException("path " + path + " leaves the target directory " + root);
        }
        return p;
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(resolve(path));
    }

    @Override
    public byte[] read(String path) {
        try {
            return Files.readAllBytes(resolve(path));
        } catch (NoSuchFileException e) {
            throw new NotFoundException(path + " does not exist in " + url);
        } catch (IOException e) {
            throw io("read", path, e);
        }
    }

    @Override
    public void write(String path, byte[] data) {
        Path target = resolve(path);
        Path tmp = target.resolveSibling("." + target.getFileName() + TMP_MARK
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createDirectories(target.getParent());
            Files.write(tmp, data);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            unsynced.add(target);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the temporary file is invisible to readers; at worst it stays behind
            }
            throw io("write", path, e);
        }
    }

    @Override
    public void delete(String path) {
        try {
            Files.deleteIfExists(resolve(path));
            unsynced.remove(resolve(path));
        } catch (IOException e) {
            throw io("delete", path, e);
        }
    }

    @Override
    public void deleteTree(String dir) {
        Path d = resolve(dir);
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new TargetIOException("cannot delete " + dir + " in " + url + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(String dir) {
        Path d = resolve(dir);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !isTemporary(n)).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw io("list", dir, e);
        }
    }

    @Override
    public List<String> listFiles(String dir) {
        Path d = resolve(dir);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(d)) {
            s.filter(Files::isRegularFile)
                    .filter(p -> !isTemporary(p.getFileName().toString()))
                    .forEach(p -> out.add(root.relativize(p).toString().replace('\\', '/')));
        } catch (IOException | UncheckedIOException e) {
            throw new TargetIOException("cannot list " + dir + " in " + url + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    @Override
    public Instant lastModified(String path) {
        try {
            return Files.getLastModifiedTime(resolve(path)).toInstant();
        } catch (NoSuchFileException e) {
            throw new NotFoundException(path + " does not exist in " + url);
        } catch (IOException e) {
            throw io("stat", path, e);
        }
    }

    @Override
    public void sync() {
        if (unsynced.isEmpty()) {
            return;
        }
        if (unsynced.size() > FSYNC_LIMIT) {
            List<Path> pending = List.copyOf(unsynced);
            if (SyncFs.sync(root)) {
                pending.forEach(unsynced::remove);
                return;
            }
        }
        Set<Path> dirs = new java.util.HashSet<>();
        for (Path p : List.copyOf(unsynced)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (NoSuchFileException e) {
                // deleted meanwhile: nothing to make durable
            } catch (IOException e) {
                throw io("fsync", root.relativize(p).toString(), e);
            }
            unsynced.remove(p);
            dirs.add(p.getParent());
        }
        // The renames are durable only once their directories are.
        for (Path d : dirs) {
            try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException e) {
                // some file systems refuse fsync on directories; the data itself is durable
            }
        }
    }

    @Override
    public void close() {
    }

    static boolean isTemporary(String name) {
        return name.startsWith(".") && name.contains(TMP_MARK);
    }

    private TargetIOException io(String op, String path, IOException e) {
        return new TargetIOException("cannot " + op + " " + path + " in " + url + ": " + e, e);
    }

    @Override
    public String toString() {
        return url;
    }
}
