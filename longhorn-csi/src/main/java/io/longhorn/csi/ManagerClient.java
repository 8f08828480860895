package io.longhorn.csi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The manager's {@code /v1} REST API, as far as the driver uses it. Every answer is JSON; an error
 * answer ({@code {"type":"error","status":…,"message":…}}) becomes an {@link ApiException}.
 */
public class ManagerClient {
    /**
     * The frontend the driver asks for: the engine's bare NBD export, whose {@code nbd://} URL the
     * volume shows as its {@code endpoint} once attached. This is the only place the value is named.
     */
    public static final String NBD_FRONTEND = "nbd";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http;
    private final Optional<Path> tokenFile;

    /** {@code url} is the API root, e.g. {@code http://longhorn-backend:9500/v1}; calls send no token. */
    public ManagerClient(String url) {
        this(url, Optional.empty());
    }

    /**
     * Calls send {@code Authorization: Bearer} with the token in {@code tokenFile}, read for each call
     * (a service account's projected token is replaced while the driver runs).
     */
    public ManagerClient(String url, Optional<Path> tokenFile) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.tokenFile = tokenFile;
    }

    /** A refused or failed API call: the HTTP status and the manager's message. */
    public static final class ApiException extends RuntimeException {
        private final int status;

        public ApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    public Optional<JsonNode> volume(String name) {
        return optional(() -> get("/volumes/" + enc(name)));
    }

    public List<JsonNode> volumes() {
        return data(get("/volumes"));
    }

    public JsonNode createVolume(ObjectNode body) {
        return send("POST", "/volumes", body);
    }

    /** Deletes the volume; false when there was none. */
    public boolean deleteVolume(String name) {
        try {
            send("DELETE", "/volumes/" + enc(name), null);
            return true;
        } catch (ApiException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    public JsonNode action(String volume, String action, ObjectNode body) {
        return send("POST", "/volumes/" + enc(volume) + "?action=" + action, body == null ? object() : body);
    }

    public List<JsonNode> snapshots(String volume) {
        return data(action(volume, "snapshotList", null));
    }

    public List<JsonNode> nodes() {
        return data(get("/nodes"));
    }

    public Optional<JsonNode> node(String name) {
        return optional(() -> get("/nodes/" + enc(name)));
    }

    public List<JsonNode> backupVolumes() {
        return data(get("/backupvolumes"));
    }

    /** The backups of one volume in the target; empty when the target holds none. */
    public List<JsonNode> backups(String volume) {
        try {
            return data(send("POST", "/backupvolumes/" + enc(volume) + "?action=backupList", object()));
        } catch (ApiException e) {
            if (e.status() == 404) {
                return List.of();
            }
            throw e;
        }
    }

    public void deleteBackup(String volume, String backup) {
        try {
            send("POST", "/backupvolumes/" + enc(volume) + "?action=backupDelete", object().put("name", backup));
        } catch (ApiException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    private interface Call {
        JsonNode run();
    }

    private static Optional<JsonNode> optional(Call c) {
        try {
            return Optional.of(c.run());
        } catch (ApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static List<JsonNode> data(JsonNode collection) {
        List<JsonNode> out = new ArrayList<>();
        collection.path("data").forEach(out::add);
        return out;
    }

    private JsonNode get(String path) {
        return send("GET", path, null);
    }

    private JsonNode send(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("accept", "application/json");
        if (tokenFile.isPresent()) {
            String token;
            try {
                token = Files.readString(tokenFile.get()).trim();
            } catch (IOException e) {
                throw new ApiException(401, "cannot read the manager token file " + tokenFile.get() + ": " + e.getMessage());
            }
            b.header("authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ApiException(503, "the manager at " + base + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while calling the manager");
        }
        JsonNode n;
        try {
            n = r.body() == null || r.body().isBlank() ? object() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new ApiException(r.statusCode() >= 400 ? r.statusCode() : 502,
                    method + " " + path + ": answer is not JSON: " + r.body());
        }
        if (r.statusCode() >= 400) {
            String msg = n.path("message").asText("");
            throw new ApiException(r.statusCode(), method + " " + path + ": " + r.statusCode() + " "
                    + (msg.isEmpty() ? r.body() : msg));
        }
        return n;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
