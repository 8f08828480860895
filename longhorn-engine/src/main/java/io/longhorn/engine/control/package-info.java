/**
 * The running engine process: its configuration, the start of the volume and its frontend, the
 * ready line, the gRPC control API (engine.proto) and the mapping of volume errors to gRPC status
 * codes.
 */
package io.longhorn.engine.control;
