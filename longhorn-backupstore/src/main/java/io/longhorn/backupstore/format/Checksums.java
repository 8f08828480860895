package io.longhorn.backupstore.format;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Block checksums as Longhorn names blocks: SHA-512 of the raw (uncompressed) block, as hex,
 * truncated to its first 64 characters.
 */
public final class Checksums {
    public static final int HEX_LENGTH = 64;

    private Checksums() {
    }

    public static String blockChecksum(byte[] data, int offset, int length) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is not available", e);
        }
        md.update(data, offset, length);
        return HexFormat.of().formatHex(md.digest(), 0, HEX_LENGTH / 2);
    }

    /** Whether the checksum looks like one we wrote: 64 lower-case hex characters. */
    public static boolean isValid(String checksum) {
        if (checksum == null || checksum.length() != HEX_LENGTH) {
            return false;
        }
        for (int i = 0; i < checksum.length(); i++) {
            char c = checksum.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    /** Whether {@code data[0, length)} is all zero bytes (such blocks are not stored: a hole). */
    public static boolean isZero(byte[] data, int length) {
        for (int off = 0; off < length; off += ZEROS.length) {
            int n = Math.min(ZEROS.length, length - off);
            if (java.util.Arrays.mismatch(data, off, off + n, ZEROS, 0, n) >= 0) {
                return false;
            }
        }
        return true;
    }
}
