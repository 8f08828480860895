/**
 * Turning the addresses users give into sources and restore targets: a replica's control address
 * ({@code host:port}), a replica directory ({@code dir:///path}) or a raw image file
 * ({@code file:///path.img}).
 */
package io.longhorn.backupstore.endpoint;
