package io.longhorn.manager.model;

/** The engine image name. */
public class EngineImageSpec {
    public String image = "";
}
