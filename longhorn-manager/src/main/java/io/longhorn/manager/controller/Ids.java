package io.longhorn.manager.controller;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random name suffixes, as Longhorn's ({@code vol1-r-1a2b3c4d}, {@code backup-0123456789abcdef}). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
