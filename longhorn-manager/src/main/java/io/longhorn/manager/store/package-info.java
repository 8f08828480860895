/**
 * The resource store port: get, list, create, update, update status, delete and watch the Longhorn
 * resources, with Kubernetes semantics (resource versions for optimistic concurrency, a generation
 * that counts spec changes, finalizers that hold a deletion until a controller cleaned up). The
 * standalone runtime implements it with JSON files ({@code store.local}); in Kubernetes it is the
 * API server.
 */
package io.longhorn.manager.store;
