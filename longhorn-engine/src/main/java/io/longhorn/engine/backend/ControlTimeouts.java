package io.longhorn.engine.backend;

import java.time.Duration;

/**
 * Deadlines of replica control calls.
 *
 * @param quick  info and generation changes: the replica timeout, since the data path waits on them
 * @param normal snapshot and chain changes (they fsync metadata)
 * @param slow   calls that read whole layer files: checksums, extent streams, purge
 */
public record ControlTimeouts(Duration quick, Duration normal, Duration slow) {

    public static ControlTimeouts of(Duration replicaTimeout) {
        return new ControlTimeouts(replicaTimeout, replicaTimeout.multipliedBy(4).plusSeconds(10), Duration.ofMinutes(30));
    }
}
