package io.longhorn.manager.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A standalone manager process ({@code bin/longhorn-manager}) for one test class, as an extension:
 * {@code @RegisterExtension static final StandaloneManager MANAGER = new StandaloneManager("x-it-");}.
 * Before the class's tests it checks that the services were packaged, makes a data directory under
 * a new temporary directory, runs the preparations given (files the manager reads at start), and
 * starts the manager on a free port with REST Assured calling as the admin. After them it kills the
 * manager and every instance it started, closes what was handed to {@link #closeAfter}, and deletes
 * the temporary directory, unless a test failed: then it is kept, and printed, for a look.
 */
public final class StandaloneManager implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    /** Something to do with the data directory before the manager starts. */
    public interface Preparation {
        void prepare(Path dataDir) throws Exception;
    }

    private final String prefix;
    private final List<Preparation> preparations = new ArrayList<>();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private Path dataDir;
    private ManagerProcess process;
    private volatile boolean failed;

    public StandaloneManager(String prefix) {
        this.prefix = prefix;
    }

    /** Runs {@code p} on the data directory before the manager starts. */
    public StandaloneManager preparing(Preparation p) {
        preparations.add(p);
        return this;
    }

    /** Closes {@code c} after the manager and its instances are stopped. */
    public <T extends AutoCloseable> T closeAfter(T c) {
        closeAfter.add(c);
        return c;
    }

    public ManagerProcess process() {
        return process;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The manager's URL with {@code path} appended. */
    public String url(String path) {
        return process.url() + path;
    }

    /** Starts the manager again, on its port and data directory, after a test stopped it. */
    public ManagerProcess startAgain() throws Exception {
        process = ManagerProcess.start(dataDir, process.port());
        return process;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        TestTokens.restAssuredAsAdmin();
        assertTrue(ManagerProcess.servicesBuilt(),
                "the replica, engine and backupstore modules must be packaged first: build with -pl longhorn-manager -am");
        dataDir = Files.createTempDirectory(prefix).resolve("data");
        Files.createDirectories(dataDir);
        for (Preparation p : preparations) {
            p.prepare(dataDir);
        }
        process = ManagerProcess.start(dataDir, ManagerProcess.freePort());
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        failed = true;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        TestTokens.restAssuredAnonymous();
        try {
            if (process != null) {
                process.kill();
            }
        } finally {
            try {
                if (dataDir != null) {
                    ManagerProcess.killInstances(dataDir);
                }
            } finally {
                for (AutoCloseable c : closeAfter) {
                    c.close();
                }
                if (dataDir != null && !failed) {
                    ManagerProcess.deleteTree(dataDir.getParent());
                } else if (dataDir != null) {
                    System.out.println("kept for inspection: " + dataDir.getParent());
                }
            }
        }
    }
}
