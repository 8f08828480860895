package io.longhorn.engine.controller;

import java.time.Duration;
import java.util.List;

/**
 * What an engine is started with.
 *
 * @param volume          the volume name
 * @param replicas        control addresses of the replicas, in order of preference
 * @param replicaTimeout  how long a replica may leave a request unanswered before it is ERR
 */
public record EngineOptions(String volume, List<String> replicas, Duration replicaTimeout) {
}
