/**
 * The engine's frontend contract: the {@link io.longhorn.engine.frontend.BlockDevice} the
 * controller exposes, the {@link io.longhorn.engine.frontend.Frontend} that serves it to clients,
 * and {@link io.longhorn.engine.frontend.AligningBlockDevice}, which lets clients send requests
 * that are not 4096-aligned to a device that only accepts aligned ones; and
 * {@link io.longhorn.engine.frontend.IoStats}, the volume's client I/O counters frontends record in.
 */
package io.longhorn.engine.frontend;
