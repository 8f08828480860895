package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** The snapshot as the volume's engine last reported it. */
public class SnapshotStatus {
    public String parent = "";
    public Map<String, Boolean> children = new LinkedHashMap<>();
    public boolean markRemoved;
    public boolean userCreated;
    public String creationTime = "";
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long size;
    public Map<String, String> labels = new LinkedHashMap<>();
    public String ownerID = "";
    public String error = "";
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long restoreSize;
    public boolean readyToUse;
    public String checksum = "";
}
