/**
 * Client of the replica's data protocol ({@link io.longhorn.api.wire.Frame}): pipelined block
 * reads and writes over one TCP or Unix socket connection. Used by the engine, the backup
 * service and the benchmark.
 */
package io.longhorn.api.client;
