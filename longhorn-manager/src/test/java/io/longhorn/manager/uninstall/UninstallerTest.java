package io.longhorn.manager.uninstall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class UninstallerTest {
    @Test
    void onlyAnExplicitTrueConfirms() {
        assertTrue(Uninstaller.confirmed("true"));
        assertTrue(Uninstaller.confirmed(" TRUE "));
        assertFalse(Uninstaller.confirmed("false"));
        assertFalse(Uninstaller.confirmed(""));
        assertFalse(Uninstaller.confirmed(null));
        assertFalse(Uninstaller.confirmed("yes"));
    }

    @Test
    void volumesGoFirstAndEveryKindIsCovered() throws Exception {
        assertEquals("volumes", Uninstaller.PLURALS.getFirst());
        Path crds = Path.of(System.getProperty("longhorn.root", "..")).resolve("k8s/crds");
        try (Stream<Path> files = Files.list(crds)) {
            assertEquals(files.map(f -> f.getFileName().toString()).map(n -> n.substring(0, n.indexOf('.'))).sorted().toList(),
                    Uninstaller.PLURALS.stream().sorted().toList(), "every kind of k8s/crds");
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsTouched() {
        assertEquals(2, Uninstaller.main(List.of("--force")));
        assertEquals(2, Uninstaller.main(List.of("--timeout", "soon")));
    }
}
