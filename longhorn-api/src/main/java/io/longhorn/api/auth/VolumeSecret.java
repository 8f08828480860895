package io.longhorn.api.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-volume secret that engine and replica processes hold to prove to each other (and to the
 * manager's calls) that they serve the same volume. 32 random bytes, given to a process as a file
 * ({@code --secret-file}): written by the manager with mode 0600 (standalone) or mounted from a
 * Kubernetes Secret. The secret itself never crosses the wire: connections prove they hold it by
 * answering a fresh challenge with an HMAC-SHA256 (see {@link DataAuth} and {@link GrpcAuth}).
 *
 * <p>{@link #toString()} never shows the bytes.
 */
public final class VolumeSecret {
    /** Bytes of a secret. */
    public static final int SIZE = 32;
    private static final String HMAC = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private VolumeSecret(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("a volume secret has " + SIZE + " bytes, not " + bytes.length);
        }
        this.key = new SecretKeySpec(bytes, HMAC);
    }

    /** A new random secret. */
    public static VolumeSecret generate() {
        return new VolumeSecret(randomBytes(SIZE));
    }

    /** A secret from its 32 bytes. */
    public static VolumeSecret of(byte[] bytes) {
        return new VolumeSecret(bytes.clone());
    }

    /** {@code n} bytes from a strong random source (nonces). */
    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * Reads a secret file: exactly 32 bytes, readable by its owner only where the file system has
     * POSIX permissions (a Kubernetes Secret volume mounted with {@code defaultMode: 0400} or 0600
     * passes; group or other bits fail).
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static VolumeSecret load(Path file) throws IOException {
        // A Kubernetes Secret volume is a symlink to a timestamped file; the target's mode counts.
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view != null) {
            Set<PosixFilePermission> perms = view.readAttributes().permissions();
            Set<PosixFilePermission> open = EnumSet.copyOf(perms);
            open.retainAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE));
            if (!open.isEmpty()) {
                throw new IOException("secret file " + file + " has mode " + PosixFilePermissions.toString(perms)
                        + "; it must be readable by its owner only (0600 or 0400)");
            }
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("secret file " + file + " is not a regular file");
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            if (bytes.length != SIZE) {
                throw new IOException("secret file " + file + " holds " + bytes.length + " bytes; a volume secret has "
                        + SIZE);
            }
            return new VolumeSecret(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Writes a new random secret to {@code file} with mode 0600 unless the file exists, and returns
     * the secret in the file either way.
     *
     * @throws IOException when the file cannot be written or what is there is no valid secret
     */
    public static VolumeSecret createIfMissing(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return load(file);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        VolumeSecret s = generate();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        // Owner-only from its creation: a file system without POSIX modes fails here rather than
        // leave the secret readable (load refuses such a file anyway).
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, s.key.getEncoded(), StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        try {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
            return load(file);
        }
        return s;
    }

    /** The raw bytes, for a Kubernetes Secret's data; handle with care. */
    public byte[] bytes() {
        return key.getEncoded();
    }

    /**
     * HMAC-SHA256 over the parts, each preceded by its length (u32), so that no two different lists
     * of parts give the same input.
     */
    public byte[] mac(byte[]... parts) {
        try {
            Mac m = Mac.getInstance(HMAC);
            m.init(key);
            for (byte[] p : parts) {
                m.update(new byte[] {(byte) (p.length >>> 24), (byte) (p.length >>> 16), (byte) (p.length >>> 8),
                        (byte) p.length});
                m.update(p);
            }
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getMessage(), e);
        }
    }

    /** Whether {@code proof} is the MAC of the parts, compared in constant time. */
    public boolean verify(byte[] proof, byte[]... parts) {
        return proof != null && MessageDigest.isEqual(mac(parts), proof);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "VolumeSecret[hidden]";
    }
}
