/** Settings of the backup service and CLI ({@code longhorn.backup.*}, also as environment variables). */
package io.longhorn.backupstore.config;
