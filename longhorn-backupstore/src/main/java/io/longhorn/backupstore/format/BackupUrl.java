package io.longhorn.backupstore.format;

import io.longhorn.backupstore.error.InvalidInputException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A backup's URL as Longhorn writes it: the target URL with {@code backup} and {@code volume}
 * query parameters, e.g. {@code s3://bucket@us-east-1/path?backup=backup-0123456789abcdef&volume=vol1}.
 * Other query parameters (such as {@code nfsOptions}) belong to the target and are kept there.
 *
 * @param target the backup target URL
 * @param volume the backup volume name
 * @param backup the backup name, or null for a URL naming only the volume
 */
public record BackupUrl(String target, String volume, String backup) {

    /**
     * Parses a backup URL.
     *
     * @throws InvalidInputException when it has no volume parameter, or (if required) no backup
     */
    public static BackupUrl parse(String url, boolean backupRequired) {
        if (url == null || url.isBlank()) {
            throw new InvalidInputException("backup URL is empty");
        }
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        String volume = null;
        String backup = null;
        List<String> rest = new ArrayList<>();
        if (q >= 0) {
            for (String pair : url.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                switch (key) {
                    case "volume" -> volume = value;
                    case "backup" -> backup = value;
                    default -> rest.add(pair);
                }
            }
        }
        if (volume == null || volume.isEmpty()) {
            throw new InvalidInputException("invalid backup URL \"" + url + "\": no volume parameter (expected "
                    + "<target>?backup=<name>&volume=<volume>)");
        }
        if (backupRequired && (backup == null || backup.isEmpty())) {
            throw new InvalidInputException("invalid backup URL \"" + url + "\": no backup parameter (expected "
                    + "<target>?backup=<name>&volume=<volume>)");
        }
        String target = rest.isEmpty() ? base : base + "?" + String.join("&", rest);
        return new BackupUrl(target, volume, backup == null || backup.isEmpty() ? null : backup);
    }

    /** The URL of backup {@code backup} of volume {@code volume} in {@code target}. */
    public static String format(String target, String volume, String backup) {
        String sep = target.contains("?") ? "&" : "?";
        return target + sep + "backup=" + URLEncoder.encode(backup, StandardCharsets.UTF_8)
                + "&volume=" + URLEncoder.encode(volume, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return backup == null ? target + (target.contains("?") ? "&" : "?") + "volume=" + volume
                : format(target, volume, backup);
    }
}
