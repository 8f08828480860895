package io.longhorn.manager.controller.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.model.Condition;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's KernelModulesLoaded condition, from a {@code /sys/module} with and without {@code nbd}. */
class KernelModulesConditionTest {
    @TempDir
    Path sysModule;

    @Test
    void withoutNbdTheNodeSaysVolumesTakeTheSlowerUserspacePath() throws Exception {
        Files.createDirectories(sysModule.resolve("loop"));
        NodeController.ConditionValue c = NodeController.kernelModules(sysModule);
        assertEquals(Condition.FALSE, c.status());
        assertEquals("KernelModulesNotLoaded", c.reason());
        assertTrue(c.message().contains("nbd") && c.message().contains("userspace path")
                   && c.message().contains("slower"), c.message());
    }

    @Test
    void withNbdLoadedTheConditionIsTrue() throws Exception {
        Files.createDirectories(sysModule.resolve("nbd"));
        NodeController.ConditionValue c = NodeController.kernelModules(sysModule);
        assertEquals(Condition.TRUE, c.status());
        assertEquals("", c.message());
    }
}
