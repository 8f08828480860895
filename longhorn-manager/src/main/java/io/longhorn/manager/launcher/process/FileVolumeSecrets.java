package io.longhorn.manager.launcher.process;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.types.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Volume secrets as files {@code <dir>/<volume>.secret}, mode 0600 in a 0700 directory, for
 * instances that run as local processes: the file is what {@code --secret-file} names.
 */
public final class FileVolumeSecrets {
    private final Path dir;
    private final Map<String, VolumeSecret> cache = new ConcurrentHashMap<>();

    public FileVolumeSecrets(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** The volume's secret file; it exists once {@link #secretFor} was called. */
    public Path file(String volume) {
        Names.requireVolumeName(volume);
        return dir.resolve(volume + ".secret");
    }

    /** The volume's secret, written to its file when missing. */
    public VolumeSecret secretFor(String volume) {
        return cache.computeIfAbsent(volume, v -> {
            try {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
                return VolumeSecret.createIfMissing(file(v));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the secret of volume " + v + " in " + dir + ": "
                        + e.getMessage(), e);
            }
        });
    }

    /** Removes the volume's secret file. */
    public void delete(String volume) {
        cache.remove(volume);
        try {
            Files.deleteIfExists(file(volume));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the secret of volume " + volume + ": " + e.getMessage(), e);
        }
    }
}
