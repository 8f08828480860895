package io.longhorn.backupstore.driver.nfs;

import io.longhorn.backupstore.error.InvalidInputException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A parsed {@code nfs://server:/export/path[?nfsOptions=opt,opt]} URL.
 *
 * @param url     the URL as given
 * @param server  NFS server host
 * @param path    exported path, absolute
 * @param options mount options from the URL's {@code nfsOptions} parameter, or null
 */
public record NfsLocation(String url, String server, String path, String options) {

    /**
     * @throws InvalidInputException naming the URL when it is not {@code nfs://server:/path}
     */
    public static NfsLocation parse(String url) {
        String rest = url.substring("nfs://".length());
        String options = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.startsWith("nfsOptions=")) {
                    options = URLDecoder.decode(pair.substring("nfsOptions=".length()), StandardCharsets.UTF_8);
                }
            }
            rest = rest.substring(0, q);
        }
        int sep = rest.indexOf(":/");
        if (sep <= 0) {
            throw new InvalidInputException("invalid NFS target \"" + url + "\": expected nfs://server:/export/path");
        }
        String server = rest.substring(0, sep);
        String path = rest.substring(sep + 1);
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!server.matches("[A-Za-z0-9._\\-\\[\\]:]+") || path.contains("..")) {
            throw new InvalidInputException("invalid NFS target \"" + url + "\": bad server or path");
        }
        if (options != null && !options.matches("[A-Za-z0-9_.,=:/-]*")) {
            throw new InvalidInputException("invalid nfsOptions \"" + options + "\" in \"" + url + "\"");
        }
        return new NfsLocation(url, server, path, options == null || options.isBlank() ? null : options);
    }

    /** The mount source, {@code server:/export/path}. */
    public String source() {
        return server + ":" + path;
    }

    /** A directory name that is unique per export and safe as a file name. */
    public String mountDirName() {
        return (server + path).replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
