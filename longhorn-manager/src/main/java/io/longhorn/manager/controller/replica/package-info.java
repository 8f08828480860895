/**
 * The replica controller: starts and stops replica instances as their spec asks, reports their
 * addresses, and removes a deleted replica's data.
 */
package io.longhorn.manager.controller.replica;
