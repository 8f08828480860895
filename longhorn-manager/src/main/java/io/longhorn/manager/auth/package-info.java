/**
 * Who may touch what through the REST API and the web UI: bearer tokens, authenticated either by the
 * standalone token store (hashed tokens in the data directory, each with a role) or by the cluster
 * (TokenReview), and authorized per request as a verb on a {@code longhorn.io} resource (by the
 * token's role, or by the cluster's RBAC through SubjectAccessReview).
 */
package io.longhorn.manager.auth;
