package io.longhorn.manager.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests over a {@link ManagerHarness}: each test gets a fresh one in its own temporary
 * directory, closed after it even when the test failed. A subclass's own {@code @BeforeEach} runs
 * after the harness exists.
 */
public abstract class HarnessTest {
    @TempDir
    protected Path dir;

    /** The harness of the running test; a test that restarts the manager replaces it. */
    protected ManagerHarness m;

    /** The harness for a test; override for other disks. */
    protected ManagerHarness harness(Path dir) {
        return new ManagerHarness(dir);
    }

    @BeforeEach
    protected final void openHarness() {
        m = harness(dir);
    }

    @AfterEach
    protected final void closeHarness() {
        m.close();
    }
}
