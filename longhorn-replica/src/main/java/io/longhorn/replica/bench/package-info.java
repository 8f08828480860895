/**
 * A load generator for the replica's data protocol, for benchmarks (not tests): run it with
 * {@code bin/longhorn-replica bench --help}.
 */
package io.longhorn.replica.bench;
