package io.longhorn.backupstore.lock;

import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.LockedException;
import io.longhorn.backupstore.error.NotFoundException;
import io.longhorn.backupstore.format.Json;
import io.longhorn.backupstore.format.Layout;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A held lock on a backup volume. Acquiring writes our lock file unacquired, then looks at the
 * others: expired ones are removed, compatible ones ignored; a conflicting one wins if it is
 * acquired or older than ours (ties broken by id), and then we remove ours and fail. Otherwise we
 * mark ours acquired. Ages are compared between file times on the target, never with a local
 * clock. The lock is refreshed in the background until closed.
 */
public final class BackupLock implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackupLock.class);
    public static final Duration EXPIRY = Duration.ofSeconds(150);
    public static final Duration REFRESH = Duration.ofSeconds(60);
    private static final ScheduledExecutorService REFRESHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backup-lock-refresh");
        t.setDaemon(true);
        return t;
    });

    private final BackupStoreDriver driver;
    private final String volume;
    private final String path;
    private final LockFile content;
    private final ScheduledFuture<?> refresh;
    private boolean closed;

    private BackupLock(BackupStoreDriver driver, String volume, String path, LockFile content) {
        this.driver = driver;
        this.volume = volume;
        this.path = path;
        this.content = content;
        this.refresh = REFRESHER.scheduleAtFixedRate(this::refresh, REFRESH.toSeconds(), REFRESH.toSeconds(),
                TimeUnit.SECONDS);
    }

    /**
     * Acquires a lock of {@code type} on backup volume {@code volume}.
     *
     * @throws LockedException when a conflicting lock holds the volume; our lock file is removed
     */
    public static BackupLock acquire(BackupStoreDriver driver, String volume, LockType type) {
        String id = UUID.randomUUID().toString().replace("-", "");
        String path = Layout.lockPath(volume, id);
        LockFile mine = new LockFile(volume, id, type.code(), false);
        driver.write(path, Json.write(mine));
        try {
            Instant now = driver.lastModified(path);
            checkOthers(driver, volume, type, id, now);
            LockFile acquired = new LockFile(volume, id, type.code(), true);
            driver.write(path, Json.write(acquired));
            LOG.debugf("volume %s: acquired %s lock %s", volume, type, id);
            return new BackupLock(driver, volume, path, acquired);
        } catch (RuntimeException e) {
            try {
                driver.delete(path);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void checkOthers(BackupStoreDriver driver, String volume, LockType type, String id, Instant now) {
        String dir = Layout.locksDir(volume);
        for (String name : driver.list(dir)) {
            if (!name.startsWith("lock-") || !name.endsWith(".lck") || name.equals("lock-" + id + ".lck")) {
                continue;
            }
            String other = dir + "/" + name;
            LockFile lock;
            Instant at;
            try {
                at = driver.lastModified(other);
                lock = Json.read(driver.read(other), LockFile.class, other);
            } catch (NotFoundException e) {
                continue; // released meanwhile
            } catch (BackupStoreException e) {
                LOG.warnf("volume %s: ignoring unreadable lock file %s: %s", volume, name, e.getMessage());
                continue;
            }
            if (Duration.between(at, now).compareTo(EXPIRY) > 0) {
                LOG.infof("volume %s: removing expired %s lock %s (last refreshed %s)", volume,
                        LockType.ofCode(lock.type()), lock.name(), at);
                driver.delete(other);
                continue;
            }
            LockType otherType = LockType.ofCode(lock.type());
            if (otherType == type) {
                continue;
            }
            boolean older = at.isBefore(now) || (at.equals(now) && name.compareTo("lock-" + id + ".lck") < 0);
            if (lock.acquired() || older) {
                throw new LockedException("backup volume " + volume + " is locked by a "
                        + otherType.name().toLowerCase(java.util.Locale.ROOT) + " in progress (lock " + lock.name()
                        + ", refreshed " + at + "); try again later, a stale lock expires " + EXPIRY.toSeconds()
                        + " s after its last refresh");
            }
        }
    }

    private synchronized void refresh() {
        if (closed) {
            return; // a refresh racing close() must not bring the file back
        }
        try {
            driver.write(path, Json.write(content));
        } catch (RuntimeException e) {
            LOG.warnf("volume %s: cannot refresh lock %s: %s", volume, content.name(), e.getMessage());
        }
    }

    /** The lock's id. */
    public String id() {
        return content.name();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        refresh.cancel(false);
        try {
            driver.delete(path);
        } catch (RuntimeException e) {
            LOG.warnf("volume %s: cannot remove lock %s (it expires by itself): %s", volume, content.name(),
                    e.getMessage());
        }
    }
}
