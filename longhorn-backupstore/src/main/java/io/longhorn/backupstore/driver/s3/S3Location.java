package io.longhorn.backupstore.driver.s3;

import io.longhorn.backupstore.error.InvalidInputException;

/**
 * A parsed {@code s3://bucket@region/path} URL.
 *
 * @param url    the URL as given
 * @param bucket bucket name
 * @param region region, e.g. us-east-1
 * @param prefix key prefix without leading or trailing '/', may be empty
 */
public record S3Location(String url, String bucket, String region, String prefix) {

    /**
     * @throws InvalidInputException naming the URL when it is not {@code s3://bucket@region[/path]}
     */
    public static S3Location parse(String url) {
        String rest = url.substring("s3://".length());
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        int at = authority.indexOf('@');
        if (at <= 0 || at == authority.length() - 1) {
            throw new InvalidInputException("invalid S3 target \"" + url + "\": expected s3://bucket@region/path");
        }
        String bucket = authority.substring(0, at);
        String region = authority.substring(at + 1);
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,62}")) {
            throw new InvalidInputException("invalid S3 target \"" + url + "\": bucket name \"" + bucket
                    + "\" is not a valid bucket name");
        }
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new S3Location(url, bucket, region, path);
    }

    /** The object key of a target-relative path. */
    public String key(String path) {
        return prefix.isEmpty() ? path : prefix + "/" + path;
    }

    /** The target-relative path of an object key under this prefix. */
    public String relative(String key) {
        return prefix.isEmpty() ? key : key.substring(prefix.length() + 1);
    }
}
