package io.longhorn.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizesTest {

    @Test
    void parsesPlainBytesAndEveryUnitFormAsBinary() {
        assertEquals(4096, Sizes.parse("4096"));
        for (String s : new String[] {"10g", "10G", "10Gi", "10GiB", "10gib", "10GB", "10gb", "10 G"}) {
            assertEquals(10L << 30, Sizes.parse(s), s);
        }
        assertEquals(512L << 20, Sizes.parse("512m"));
        assertEquals(512L << 20, Sizes.parse("512Mi"));
        assertEquals(4096, Sizes.parse("4k"));
        assertEquals(4096, Sizes.parse("4Ki"));
        assertEquals(4096, Sizes.parse("4KB"));
        assertEquals(2L << 40, Sizes.parse("2t"));
        assertEquals(1L << 50, Sizes.parse("1P"));
        assertEquals(1536, Sizes.parse("1.5k"));
        assertEquals(4096, Sizes.parse("4096b"));
    }

    @Test
    void rejectsWhatIsNotASizeNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse("abc"));
        assertTrue(e.getMessage().contains("\"abc\""));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("99999999999999999999"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("9999999Pi"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("10x"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("10iB"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("1.g"));
    }

    @Test
    void addressesParseTcpAndUnixForms() {
        assertEquals(Address.tcp("127.0.0.1", 9502), Address.parse("tcp://127.0.0.1:9502"));
        assertEquals(Address.tcp("localhost", 1), Address.parse("localhost:1"));
        assertTrue(Address.parse("unix:///tmp/r.sock").isUnix());
        assertThrows(IllegalArgumentException.class, () -> Address.parse("nohost"));
        assertThrows(IllegalArgumentException.class, () -> Address.parse("h:70000"));
    }
}
