/** The JSON views of the API: what a client sees of volumes, nodes, settings, backups, jobs, events. */
package io.longhorn.manager.api.dto;
