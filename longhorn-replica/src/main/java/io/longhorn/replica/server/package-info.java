/**
 * The replica's data server: the engine-replica block protocol ({@link io.longhorn.api.wire.Frame})
 * over TCP and a Unix socket, many requests in flight per connection, executed by a small pool of
 * I/O workers against one {@link io.longhorn.replica.server.BlockTarget}, replies in completion
 * order.
 */
package io.longhorn.replica.server;
