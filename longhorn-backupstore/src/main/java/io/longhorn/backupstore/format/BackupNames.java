package io.longhorn.backupstore.format;

import io.longhorn.backupstore.error.InvalidInputException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Backup names: generated like upstream's ({@code backup-<16 hex>}) or given and checked. */
public final class BackupNames {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupNames() {
    }

    public static String generate() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "backup-" + HexFormat.of().formatHex(b);
    }

    /**
     * @throws InvalidInputException naming the value when it is not a valid backup name
     */
    public static String require(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("invalid backup name \"" + name
                    + "\": use 1-63 lower case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }
}
