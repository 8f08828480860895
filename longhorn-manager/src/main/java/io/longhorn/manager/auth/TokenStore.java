package io.longhorn.manager.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The standalone API tokens: {@code <data>/auth/tokens.json} (mode 0600, its directory 0700) holds,
 * per token, its id, name, role, creation and expiry, and the SHA-256 of the token, never the token
 * itself. A token is 32 random bytes ({@code lh_} and base64url), so its hash needs no salt or
 * stretching. A token is checked against every stored hash in constant time.
 *
 * <p>The manager and the command line ({@code longhorn-manager token ...}) share the file: a change
 * is written to a temporary file and renamed, under a lock file, and the manager reads the file again
 * when it changed, so a token revoked from the command line is refused at once.
 */
public final class TokenStore {
    /** One stored token. {@code expires} is null for a token that does not expire. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Token(String id, String name, String role, String sha256, Instant created, Instant expires,
                        Boolean session) {
        public Role roleValue() {
            return Role.of(role);
        }

        public boolean expiredAt(Instant now) {
            return expires != null && !now.isBefore(expires);
        }

        public boolean isSession() {
            return Boolean.TRUE.equals(session);
        }
    }

    /** A token just made: the secret, shown once, and what is stored of it. */
    public record Created(String secret, Token token) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String FILE = "tokens.json";

    private final Path dir;
    private final Path file;
    private final Clock clock;
    private List<Token> cached = List.of();
    private Object cachedKey;

    public TokenStore(Path dataDir, Clock clock) {
        this.dir = dataDir.resolve("auth");
        this.file = dir.resolve(FILE);
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /** A new random token's text. */
    public static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "lh_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored token this secret is, unless it is unknown, revoked or expired. */
    public Optional<Token> verify(String secret) {
        if (secret == null || secret.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = sha256(secret);
        Token found = null;
        // Every hash is compared, each in constant time, so the time says nothing about which matched.
        for (Token t : tokens()) {
            if (MessageDigest.isEqual(hash, HexFormat.of().parseHex(t.sha256())) && found == null) {
                found = t;
            }
        }
        Instant now = clock.instant();
        return Optional.ofNullable(found).filter(t -> !t.expiredAt(now));
    }

    /** All stored tokens, as the file holds them now. */
    public synchronized List<Token> tokens() {
        try {
            if (!Files.exists(file)) {
                cached = List.of();
                cachedKey = null;
                return cached;
            }
            var attrs = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            Object key = List.of(attrs.lastModifiedTime(), attrs.size(), String.valueOf(attrs.fileKey()));
            if (!key.equals(cachedKey)) {
                cached = List.copyOf(JSON.readValue(file.toFile(), new TypeReference<List<Token>>() { }));
                cachedKey = key;
            }
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores a new token. {@code name} must be 1-63 letters, digits, '-', '_' or '.'; {@code ttl}
     * null for a token that does not expire.
     */
    public Created create(String name, Role role, Duration ttl, boolean session) {
        return create(name, role, ttl, session, newSecret());
    }

    /** Stores {@code secret} (at least 16 characters) as a token. */
    public Created create(String name, Role role, Duration ttl, boolean session, String secret) {
        checkName(name);
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("token: must be at least 16 characters");
        }
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new IllegalArgumentException("ttl: must be positive");
        }
        Instant now = clock.instant();
        byte[] idBytes = new byte[6];
        RANDOM.nextBytes(idBytes);
        Token t = new Token(HexFormat.of().formatHex(idBytes), name, role.id(),
                HexFormat.of().formatHex(sha256(secret)), now, ttl == null ? null : now.plus(ttl), session ? true : null);
        change(list -> {
            if (list.stream().anyMatch(x -> x.name().equals(name) && !x.expiredAt(now))) {
                throw new IllegalArgumentException("name: a token named " + name + " exists: revoke it first or"
                        + " choose another name");
            }
            List<Token> next = new ArrayList<>(list.stream().filter(x -> !(x.isSession() && x.expiredAt(now))).toList());
            next.add(t);
            return next;
        });
        return new Created(secret, t);
    }

    /** Revokes the token with this id (or, for unnamed tools, this name); false when there is none. */
    public boolean revoke(String idOrName) {
        boolean[] found = {false};
        change(list -> {
            List<Token> next = list.stream().filter(t -> !t.id().equals(idOrName) && !t.name().equals(idOrName))
                    .toList();
            found[0] = next.size() != list.size();
            return next;
        });
        return found[0];
    }

    /** Revokes the token this secret is; false when it was not one. */
    public boolean revokeSecret(String secret) {
        return verify(secret).map(t -> revoke(t.id())).orElse(false);
    }

    static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("name: \"" + name + "\" is not a token name: 1-63 letters, digits,"
                    + " '-', '_' or '.', starting with a letter or digit");
        }
    }

    private synchronized void change(UnaryOperator<List<Token>> edit) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            try (FileChannel lockFile = FileChannel.open(dir.resolve("tokens.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                cachedKey = null;
                List<Token> next = edit.apply(tokens());
                Path tmp = dir.resolve(FILE + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    out.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(next)));
                    out.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                cachedKey = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the token file " + file + ": " + e.getMessage(), e);
        }
    }
}
