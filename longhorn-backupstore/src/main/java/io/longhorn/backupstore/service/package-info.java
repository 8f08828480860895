/**
 * The backup service's gRPC API ({@code backup.proto}): translates requests to jobs and
 * operations, and the backupstore's typed errors to gRPC status codes.
 */
package io.longhorn.backupstore.service;
