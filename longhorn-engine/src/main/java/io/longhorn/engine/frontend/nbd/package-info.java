/**
 * The NBD frontend: {@link io.longhorn.engine.frontend.nbd.NbdServer} serves a volume's block
 * device as one NBD export over TCP and/or a Unix socket (fixed newstyle handshake, simple and
 * structured replies, pipelined requests on many connections).
 */
package io.longhorn.engine.frontend.nbd;
