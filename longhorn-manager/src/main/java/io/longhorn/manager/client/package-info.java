/**
 * Clients of the services the manager drives: an engine's control API (engine.proto) and the backup
 * service (backup.proto). They reach an address, so they work the same in both runtimes; tests
 * replace them with fakes through {@link io.longhorn.manager.client.EngineClients} and
 * {@link io.longhorn.manager.client.BackupClients}.
 */
package io.longhorn.manager.client;
