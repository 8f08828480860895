/**
 * The replica's gRPC control API ({@code replica.proto}): information, snapshot chain operations
 * and what a rebuild needs. Store work runs on a small pool of its own, off the gRPC event loop.
 */
package io.longhorn.replica.control;
