package io.longhorn.manager.controller;

import java.util.Map;

/**
 * Reads a credential secret by name (keys as Longhorn's: {@code AWS_ACCESS_KEY_ID},
 * {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_ENDPOINTS}, ...). In Kubernetes a Secret; standalone, a
 * directory of files.
 */
@FunctionalInterface
public interface CredentialSource {
    /** The secret's keys and values; empty when the name is empty or unknown. */
    Map<String, String> read(String secretName);
}
