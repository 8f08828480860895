package io.longhorn.csi;

/**
 * Snapshot handles as upstream writes them: {@code snap://<volume>/<snapshot>} for a snapshot kept in
 * the volume, {@code bak://<volume>/<backup>} for a backup in the backup target ({@code bs://} is the
 * older spelling of {@code bak://} and is read as such).
 */
public record Handles(Kind kind, String volume, String name) {
    public enum Kind {
        SNAP("snap"), BAK("bak");

        final String scheme;

        Kind(String scheme) {
            this.scheme = scheme;
        }
    }

    public static Handles snap(String volume, String name) {
        return new Handles(Kind.SNAP, volume, name);
    }

    public static Handles bak(String volume, String name) {
        return new Handles(Kind.BAK, volume, name);
    }

    /** Parses a handle; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Handles parse(String id) {
        int sep = id == null ? -1 : id.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException("\"" + id + "\" is not a snapshot handle (snap://<volume>/<snapshot> or "
                    + "bak://<volume>/<backup>)");
        }
        String scheme = id.substring(0, sep);
        Kind kind = switch (scheme) {
            case "snap" -> Kind.SNAP;
            case "bak", "bs" -> Kind.BAK;
            default -> throw new IllegalArgumentException("unknown snapshot handle type \"" + scheme
                    + "\" in \"" + id + "\": use snap:// or bak://");
        };
        String rest = id.substring(sep + 3);
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("\"" + id + "\" is not " + kind.scheme + "://<volume>/<name>");
        }
        return new Handles(kind, rest.substring(0, slash), rest.substring(slash + 1));
    }

    public String id() {
        return kind.scheme + "://" + volume + "/" + name;
    }
}
