/**
 * The REST API on :9500, in Longhorn's Rancher-style {@code /v1} shape: collections
 * ({@code {type: "collection", data: [...]}}), resources with {@code id}, {@code type},
 * {@code links} and {@code actions}, actions as {@code POST /v1/<collection>/<name>?action=<name>},
 * errors as {@code {type: "error", status, code, message}}. Resources translate JSON to service
 * requests and model objects to views ({@code api.dto}); the services do the work.
 */
package io.longhorn.manager.api;
