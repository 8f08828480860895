package io.longhorn.manager.api.dto;

import java.util.Map;

/**
 * A standalone API token as {@code /v1/tokens} shows it: never its secret, except in the answer to
 * its creation ({@code token}).
 */
public record TokenView(String id, String type, String name, String role, String created, String expires,
                        boolean session, String token, Map<String, String> links) {
}
