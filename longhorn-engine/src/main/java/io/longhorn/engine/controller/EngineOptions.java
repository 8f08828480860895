package io.longhorn.engine.controller;

import java.time.Duration;
import java.util.List;

/**
 * What an engine is started with.
 *
 * @param volume          the volume name
 * @param replicas        control addresses of the replicas, in order of preference
 * @param replicaTimeout  how long a replica may leave a request unanswered before it is ERR
 * @param minGeneration   the lowest generation the volume may serve from: the last one the manager
 *                        saw this volume's engine record (0 when unknown)
 * @param salvage         serve from the best usable replicas even when they are behind (an explicit
 *                        choice to accept the loss of the writes they missed)
 * @param replicaWait     how long the start keeps asking a replica that does not answer yet before
 *                        it counts as unreachable (its process may still be starting); zero: ask once
 */
public record EngineOptions(String volume, List<String> replicas, Duration replicaTimeout, long minGeneration,
                            boolean salvage, Duration replicaWait) {

    /** Each replica asked once at start. */
    public EngineOptions(String volume, List<String> replicas, Duration replicaTimeout, long minGeneration,
                         boolean salvage) {
        this(volume, replicas, replicaTimeout, minGeneration, salvage, Duration.ZERO);
    }

    /** Without a known minimum generation, and not a salvage. */
    public EngineOptions(String volume, List<String> replicas, Duration replicaTimeout) {
        this(volume, replicas, replicaTimeout, 0, false);
    }
}
