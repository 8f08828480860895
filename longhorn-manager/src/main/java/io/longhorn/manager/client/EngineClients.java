package io.longhorn.manager.client;

/** Gives the client of the engine at a control address ({@code host:port}). */
@FunctionalInterface
public interface EngineClients {
    EngineClient forAddress(String controlAddress);
}
