package io.longhorn.manager.testing;

import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

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

    /** Every RestAssured request of the test sends the admin token. */
    public static void restAssuredAsAdmin() {
        RestAssured.requestSpecification = new RequestSpecBuilder().addHeader("Authorization", "Bearer " + ADMIN).build();
    }

    /** RestAssured requests send no token again. */
    public static void restAssuredAnonymous() {
        RestAssured.requestSpecification = null;
    }
}
