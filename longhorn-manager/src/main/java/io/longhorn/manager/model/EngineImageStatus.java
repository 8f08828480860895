package io.longhorn.manager.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Whether the image is deployed, and how many volumes use it. */
public class EngineImageStatus {
    public String ownerID = "";
    /** {@code deployed}, {@code deploying}, {@code incompatible} or {@code error}. */
    public String state = "";
    public int refCount;
    public String noRefSince = "";
    public List<Condition> conditions = new ArrayList<>();
    public Map<String, Boolean> nodeDeploymentMap = new LinkedHashMap<>();
    public boolean incompatible;
    public String version = "";
    public String gitCommit = "";
    public String buildDate = "";
    public int cliAPIVersion;
    public int cliAPIMinVersion;
    public int controllerAPIVersion;
    public int controllerAPIMinVersion;
    public int dataFormatVersion;
    public int dataFormatMinVersion;
}
