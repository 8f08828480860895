package io.longhorn.manager.api.dto;

import java.util.Map;

/** An event, shaped like a Kubernetes event. */
public record EventView(String id, String type, String eventType, String reason, String message,
                        Map<String, String> involvedObject, String firstTimestamp, String lastTimestamp, int count) {
}
