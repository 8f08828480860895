package io.longhorn.manager.client;

/** Gives the client of the replica at a control address ({@code host:port}). */
@FunctionalInterface
public interface ReplicaClients {
    ReplicaClient forReplica(String controlAddress);
}
