/**
 * The engine controller: starts and stops engine instances through the launcher and, while one
 * runs, polls its control API for replica modes, rebuilds, snapshots and size; adds and removes
 * replicas so that the engine has exactly the replicas its spec names; expands it.
 */
package io.longhorn.manager.controller.engine;
