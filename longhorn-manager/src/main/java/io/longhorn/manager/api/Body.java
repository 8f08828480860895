package io.longhorn.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.longhorn.manager.service.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads fields of a JSON request body, refusing a field of the wrong type with a 400 that names it.
 * A missing field (or null) reads as null.
 */
public final class Body {
    private final JsonNode json;

    public Body(JsonNode json) {
        this.json = json == null || json.isNull() || json.isMissingNode() ? NullNode.getInstance() : json;
        if (!this.json.isNull() && !this.json.isObject()) {
            throw new InvalidInputException("body", "request body must be a JSON object");
        }
    }

    private JsonNode field(String name) {
        JsonNode n = json.get(name);
        return n == null || n.isNull() ? null : n;
    }

    /** A string; numbers and booleans are accepted as their text (sizes come as either). */
    public String text(String name) {
        JsonNode n = field(name);
        if (n == null) {
            return null;
        }
        if (n.isValueNode()) {
            return n.asText();
        }
        throw new InvalidInputException(name, name + " must be a string");
    }

    public Integer integer(String name) {
        JsonNode n = field(name);
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            return n.intValue();
        }
        if (n.isTextual()) {
            try {
                return Integer.parseInt(n.asText().trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException(name, name + " must be an integer, got \"" + n.asText() + "\"");
            }
        }
        throw new InvalidInputException(name, name + " must be an integer, got " + n);
    }

    public Long longValue(String name) {
        JsonNode n = field(name);
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isTextual()) {
            try {
                return Long.parseLong(n.asText().trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException(name, name + " must be an integer, got \"" + n.asText() + "\"");
            }
        }
        throw new InvalidInputException(name, name + " must be an integer, got " + n);
    }

    public Boolean bool(String name) {
        JsonNode n = field(name);
        if (n == null) {
            return null;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isTextual() && (n.asText().equals("true") || n.asText().equals("false"))) {
            return Boolean.parseBoolean(n.asText());
        }
        throw new InvalidInputException(name, name + " must be true or false, got " + n);
    }

    public List<String> strings(String name) {
        JsonNode n = field(name);
        if (n == null) {
            return null;
        }
        if (!n.isArray()) {
            throw new InvalidInputException(name, name + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw new InvalidInputException(name, name + " must be a list of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    public Map<String, String> stringMap(String name) {
        JsonNode n = field(name);
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw new InvalidInputException(name, name + " must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new InvalidInputException(name, name + "." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    public JsonNode node(String name) {
        return field(name);
    }
}
