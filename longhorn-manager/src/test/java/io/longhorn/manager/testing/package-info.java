/**
 * Fakes we own for the ports and clients: an instance launcher whose instances start at once and
 * crash on command, engines that keep replica modes and a snapshot tree in memory (a replica added
 * to one is WO for one poll, then RW), a backup service with an in-memory target, and a cron
 * scheduler fired by hand.
 */
package io.longhorn.manager.testing;
