/** Maps refusals and malformed requests to Longhorn's JSON error body with the right HTTP status. */
package io.longhorn.manager.api.error;
