package io.longhorn.manager.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A node's readiness and its disks' capacity. */
public class NodeStatus {
    public List<Condition> conditions = new ArrayList<>();
    /** Disk name to status. */
    public Map<String, DiskStatus> diskStatus = new LinkedHashMap<>();
    public String region = "";
    public String zone = "";

    public static final String CONDITION_READY = "Ready";
    public static final String CONDITION_SCHEDULABLE = "Schedulable";
    /** Whether the kernel modules the node's attach path wants are loaded (upstream's name). */
    public static final String CONDITION_KERNEL_MODULES_LOADED = "KernelModulesLoaded";
}
