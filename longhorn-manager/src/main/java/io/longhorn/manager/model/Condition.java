package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A status condition, as Longhorn writes them: {@code type}, {@code status} ("True", "False",
 * "Unknown"), times in RFC 3339, a one-word {@code reason} and a human {@code message}.
 */
public class Condition {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    public String type = "";
    public String status = UNKNOWN;
    public String lastProbeTime = "";
    public String lastTransitionTime = "";
    public String reason = "";
    public String message = "";

    public Condition() {
    }

    public Condition(String type, String status, String reason, String message) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
    }

    @JsonIgnore
    public boolean isTrue() {
        return TRUE.equals(status);
    }
}
