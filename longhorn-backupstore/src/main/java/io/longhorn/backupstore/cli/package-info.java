/**
 * The {@code longhorn-backup} command line ({@code bin/longhorn-backup}): create, ls, inspect, rm,
 * rm-volume, restore, and serve (the gRPC backup service). The module README is its reference.
 */
package io.longhorn.backupstore.cli;
