package io.longhorn.manager.controller.backup;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Backup URLs as Longhorn writes them: {@code <target url>?backup=<backup name>&volume=<volume name>}.
 */
public final class BackupUrls {
    private BackupUrls() {
    }

    /** A parsed backup URL. */
    public record BackupUrl(String targetUrl, String backupName, String volumeName) {
    }

    public static String of(String targetUrl, String backupName, String volumeName) {
        return targetUrl + "?backup=" + URLEncoder.encode(backupName, StandardCharsets.UTF_8)
                + "&volume=" + URLEncoder.encode(volumeName, StandardCharsets.UTF_8);
    }

    /** Parses a backup URL; empty when it has no {@code backup} and {@code volume} parameters. */
    public static Optional<BackupUrl> parse(String url) {
        if (url == null) {
            return Optional.empty();
        }
        int q = url.indexOf('?');
        if (q <= 0) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String part : url.substring(q + 1).split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                params.put(part.substring(0, eq), URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String backup = params.get("backup");
        String volume = params.get("volume");
        if (backup == null || backup.isEmpty() || volume == null || volume.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BackupUrl(url.substring(0, q), backup, volume));
    }
}
