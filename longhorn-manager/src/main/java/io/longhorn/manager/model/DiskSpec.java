package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.fabric8.generator.annotation.Pattern;
import java.util.ArrayList;
import java.util.List;

/** A disk of a node: a directory that holds replica directories under {@code replicas/}. */
public class DiskSpec {
    @Pattern(Schemas.DISK_TYPE)
    public String diskType = "filesystem";
    public String path = "";
    public boolean allowScheduling = true;
    public boolean evictionRequested;
    /** Bytes kept free for other uses; not counted as schedulable. */
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long storageReserved;
    public List<String> tags = new ArrayList<>();
}
