package io.longhorn.manager.model;

import io.fabric8.generator.annotation.Required;
import java.util.LinkedHashMap;
import java.util.Map;

/** Which volume, and whether the manager should take the snapshot (false: it was found). */
public class SnapshotSpec {
    @Required
    public String volume = "";
    public boolean createSnapshot;
    public Map<String, String> labels = new LinkedHashMap<>();
}
