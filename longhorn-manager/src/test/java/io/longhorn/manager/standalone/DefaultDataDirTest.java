package io.longhorn.manager.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.longhorn.manager.testing.ManagerProcess;
import io.longhorn.manager.testing.Tools;
import java.nio.file.Files;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The default data directory, {@code ./data} of a clone, stays out of {@code git status}. */
class DefaultDataDirTest {

    @Test
    void theDefaultDataDirectoryOfAClonedRepositoryIsIgnored() throws Exception {
        Assumptions.assumeTrue(Files.exists(ManagerProcess.root().resolve(".git")), "runs in a git clone or worktree");
        Assumptions.assumeTrue(Tools.run("git", "--version").exit() == 0, "needs git");
        String root = ManagerProcess.root().toString();
        for (String path : new String[] {"data/manager/volume/vol1.json", "data/replicas/vol1-r-1/volume.meta",
                "data/backupstore/backupstore/volumes/00/00/vol1/volume.cfg", "data/logs/vol1-e-0.log"}) {
            assertEquals(0, Tools.run("git", "-C", root, "check-ignore", "-q", path).exit(), path + " is ignored");
        }
        // and only the top-level one: a module's own data directory is not hidden
        assertEquals(1, Tools.run("git", "-C", root, "check-ignore", "-q", "longhorn-manager/data/x").exit());
    }
}
