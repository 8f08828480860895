package io.longhorn.manager.testing;

/** The fakes that belong together: launcher, engines and backup service. */
public final class FakeCluster {
    public final FakeEngines engines = new FakeEngines();
    public final FakeLauncher launcher = new FakeLauncher(engines);
    public final FakeBackupService backups = new FakeBackupService();
}
