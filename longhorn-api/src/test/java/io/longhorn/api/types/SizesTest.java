package io.longhorn.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizesTest {

    @Test
    void parsesPlainBinaryAndDecimalSizes() {
        assertEquals(4096, Sizes.parse("4096"));
        assertEquals(10L << 30, Sizes.parse("10Gi"));
        assertEquals(512L << 20, Sizes.parse("512Mi"));
        assertEquals(1_000_000_000L, Sizes.parse("1G"));
        assertEquals(4096, Sizes.parse("4Ki"));
    }

    @Test
    void rejectsWhatIsNotASizeNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse("abc"));
        assertTrue(e.getMessage().contains("\"abc\""));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("99999999999999999999"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("9999999Pi"));
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
