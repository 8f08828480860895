package io.longhorn.backupstore.driver;

import io.longhorn.backupstore.driver.file.FileDriver;
import io.longhorn.backupstore.driver.nfs.NfsDriver;
import io.longhorn.backupstore.driver.nfs.NfsLocation;
import io.longhorn.backupstore.driver.s3.S3Driver;
import io.longhorn.backupstore.driver.s3.S3Location;
import io.longhorn.backupstore.error.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Opens the driver for a target URL, chosen by its scheme. */
public final class BackupTargets {
    private BackupTargets() {
    }

    /**
     * Opens a target. The target is checked (the directory or bucket exists, the credentials are
     * accepted) before anything is written.
     *
     * @throws InvalidInputException for an empty URL or an unknown scheme
     */
    public static BackupStoreDriver open(String url, DriverOptions options) {
        validate(url);
        String u = url.trim();
        String scheme = u.substring(0, u.indexOf("://")).toLowerCase(java.util.Locale.ROOT);
        return switch (scheme) {
            case "file" -> new FileDriver(filePath(u), u);
            case "s3" -> S3Driver.open(S3Location.parse(u), options.credentials());
            default -> NfsDriver.open(NfsLocation.parse(u), options);
        };
    }

    /**
     * Checks a target URL's form without contacting the target.
     *
     * @throws InvalidInputException naming the URL when it is malformed or of an unknown scheme
     */
    public static void validate(String url) {
        if (url == null || url.isBlank()) {
            throw new InvalidInputException("backup target URL is empty");
        }
        String u = url.trim();
        int colon = u.indexOf("://");
        String scheme = colon < 0 ? "" : u.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
        switch (scheme) {
            case "file" -> filePath(u);
            case "s3" -> S3Location.parse(u);
            case "nfs" -> NfsLocation.parse(u);
            default -> throw new InvalidInputException("unknown backup target scheme in \"" + url
                    + "\": supported are s3://bucket@region/path, nfs://server:/export/path and file:///path");
        }
    }

    private static Path filePath(String url) {
        try {
            URI uri = new URI(url);
            String path = uri.getPath();
            if (uri.getAuthority() != null || path == null || !path.startsWith("/")) {
                throw new InvalidInputException("invalid file target \"" + url + "\": expected file:///absolute/path");
            }
            return Path.of(path);
        } catch (URISyntaxException e) {
            throw new InvalidInputException("invalid file target \"" + url + "\": " + e.getMessage());
        }
    }
}
