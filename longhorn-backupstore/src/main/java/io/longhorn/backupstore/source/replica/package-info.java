/** A snapshot source reading a running replica over its gRPC control API ({@code replica.proto}). */
package io.longhorn.backupstore.source.replica;
