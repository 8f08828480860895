/**
 * The engine's view of one replica: its data path ({@link io.longhorn.engine.backend.ReplicaDataPath},
 * pipelined block I/O over the binary protocol) and its control path
 * ({@link io.longhorn.engine.backend.ReplicaControl}, gRPC), and how to connect to both from the
 * replica's control address ({@link io.longhorn.engine.backend.ReplicaConnector}). The controller
 * depends only on these interfaces, so its decisions are tested against replicas we fake.
 */
package io.longhorn.engine.backend;
