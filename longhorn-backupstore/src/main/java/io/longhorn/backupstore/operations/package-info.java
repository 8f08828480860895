/**
 * One call per user operation (create, restore, list, inspect, delete), opening and closing the
 * target, source and restore target around it. The CLI and the gRPC service both go through here.
 */
package io.longhorn.backupstore.operations;
