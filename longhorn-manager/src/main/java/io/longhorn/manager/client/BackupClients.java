package io.longhorn.manager.client;

import io.longhorn.api.auth.VolumeSecret;
import java.util.function.Supplier;

/**
 * Gives the backup service's client. Standalone, the service is a local process started on first
 * use; elsewhere it is an address.
 */
@FunctionalInterface
public interface BackupClients {
    /** @throws ServiceCallException (unavailable) when the service cannot be reached or started */
    BackupClient client();

    /** Makes a client for an address whose calls prove the backup service's secret. */
    @FunctionalInterface
    interface Factory {
        BackupClient backupClient(String address, Supplier<VolumeSecret> serviceSecret);
    }
}
