package io.longhorn.manager.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** A snapshot as the engine reports it (Longhorn's engine status {@code snapshots} entries). */
public class SnapshotInfo {
    public String name = "";
    public String parent = "";
    /** Child name to {@code true}: Longhorn's set encoding. */
    public Map<String, Boolean> children = new LinkedHashMap<>();
    public boolean removed;
    public boolean usercreated;
    public String created = "";
    /** Bytes allocated, as a decimal string. */
    public String size = "0";
    public Map<String, String> labels = new LinkedHashMap<>();
}
