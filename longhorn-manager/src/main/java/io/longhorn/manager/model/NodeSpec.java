package io.longhorn.manager.model;

import io.fabric8.generator.annotation.Min;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A node's disks and scheduling switches. */
public class NodeSpec {
    public String name = "";
    /** Disk name to disk. */
    public Map<String, DiskSpec> disks = new LinkedHashMap<>();
    public boolean allowScheduling = true;
    public boolean evictionRequested;
    public List<String> tags = new ArrayList<>();
    @Min(0)
    public int instanceManagerCPURequest;
}
