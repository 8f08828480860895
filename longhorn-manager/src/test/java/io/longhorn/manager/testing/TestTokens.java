package io.longhorn.manager.testing;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The known admin token the test managers start with: in-process ({@code %test} profile reads
 * {@code target/test-classes/test-admin-token}) and as processes ({@code --admin-token-file}).
 */
public final class TestTokens {
    /** Same text as {@code src/test/resources/test-admin-token}. */
    public static final String ADMIN = "lh_test-admin-token-for-the-manager-tests";

    private TestTokens() {
    }

    /** Writes the admin token to {@code file} (mode 0600) for {@code --admin-token-file}. */
    public static Path adminTokenFile(Path file) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, ADMIN + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the admin token with every request that does not name a token itself. */
    private static final Filter AS_ADMIN = (req, res, ctx) -> {
        if (!req.getHeaders().hasHeaderWithName("Authorization")) {
            req.header("Authorization", "Bearer " + ADMIN);
        }
        return ctx.next(req, res);
    };

    /** Every RestAssured request of the test sends the admin token (unless it sends another). */
    public static void restAssuredAsAdmin() {
        RestAssured.replaceFiltersWith(List.of(AS_ADMIN));
    }

    /** RestAssured requests send no token again. */
    public static void restAssuredAnonymous() {
        RestAssured.replaceFiltersWith(List.of());
    }
}
