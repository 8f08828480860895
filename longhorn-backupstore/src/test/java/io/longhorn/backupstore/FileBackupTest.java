package io.longhorn.backupstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.longhorn.backupstore.driver.BackupStoreDriver;
import io.longhorn.backupstore.driver.BackupTargets;
import io.longhorn.backupstore.driver.DriverOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.longhorn.backupstore.testing.TestVolume;
import org.junit.jupiter.api.Test;

/** The backup scenarios against a {@code file://} target in a temporary directory. */
class FileBackupTest extends BackupScenarios {

    @Override
    BackupStoreDriver openTarget() {
        try {
            Path dir = Files.createDirectories(tmp.resolve("target"));
            return BackupTargets.open("file://" + dir, DriverOptions.defaults());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void anOlderSnapshotIsItsLayersOverlaidNewestFirstWithoutNewerLayers() throws IOException {
        try (BackupStoreDriver target = openTarget()) {
            TestVolume v = TestVolume.create(tmp.resolve("vol1"), SIZE)
                    .writeRandom(0, (int) (4 * MiB), 7)
                    .snapshot("a")
                    .fill(4096, 4096, 0)            // explicit zeros over old data, inside a block
                    .writeRandom(2 * MiB - 4096, 8192, 8) // a write across a block boundary
                    .snapshot("b")
                    .writeRandom(0, (int) MiB, 9)
                    .snapshot("c");
            // back up the middle snapshot while a newer one exists; then the newest incrementally
            String b = backup(target, v, "vol1", "b", 2).backupName();
            var c = backup(target, v, "vol1", "c", 2);
            assertEquals(1, c.blocksRead());
            Path rb = tmp.resolve("b.img");
            Path rc = tmp.resolve("c.img");
            restore(target, "vol1", b, null, rb, SIZE);
            restore(target, "vol1", c.backupName(), null, rc, SIZE);
            assertEquals(v.contentSha("b"), TestVolume.sha256(rb, SIZE));
            assertEquals(v.contentSha("c"), TestVolume.sha256(rc, SIZE));
        }
    }
}
