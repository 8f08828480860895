package io.longhorn.backupstore.driver;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * A driver that hands every file operation to another one; subclasses change what they need
 * (where the files are, what happens around a read, how closing ends). {@link #url()} and
 * {@link #close()} are left to the subclass, since they are what a wrapper usually owns.
 */
public abstract class ForwardingDriver implements BackupStoreDriver {
    private final BackupStoreDriver delegate;

    protected ForwardingDriver(BackupStoreDriver delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean exists(String path) {
        return delegate.exists(path);
    }

    @Override
    public byte[] read(String path) {
        return delegate.read(path);
    }

    @Override
    public void write(String path, byte[] data) {
        delegate.write(path, data);
    }

    @Override
    public void delete(String path) {
        delegate.delete(path);
    }

    @Override
    public void deleteAll(Collection<String> paths) {
        delegate.deleteAll(paths);
    }

    @Override
    public void deleteTree(String dir) {
        delegate.deleteTree(dir);
    }

    @Override
    public List<String> list(String dir) {
        return delegate.list(dir);
    }

    @Override
    public List<String> listFiles(String dir) {
        return delegate.listFiles(dir);
    }

    @Override
    public Instant lastModified(String path) {
        return delegate.lastModified(path);
    }

    @Override
    public void sync() {
        delegate.sync();
    }
}
