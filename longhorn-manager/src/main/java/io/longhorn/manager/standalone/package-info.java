/**
 * The standalone runtime (the default): the resource store as JSON files under the data directory,
 * this host as the one Node with a default disk under the data directory, engines and replicas as
 * local processes, the backup service as a local process started on first use, credential secrets
 * as directories of files, and the default backup target {@code file://<data-dir>/backupstore}.
 * Nothing here talks to Kubernetes.
 */
package io.longhorn.manager.standalone;
