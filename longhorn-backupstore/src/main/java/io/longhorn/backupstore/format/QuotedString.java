package io.longhorn.backupstore.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;

/**
 * Upstream encodes some string fields of {@code volume.cfg} twice (Go's {@code json:",string"} on
 * a string), so {@code lz4} is stored as {@code "\"lz4\""}. We write the same, so that upstream
 * reads our files, and accept both forms when reading.
 */
final class QuotedString {
    private QuotedString() {
    }

    static final class Serializer extends JsonSerializer<String> {
        @Override
        public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            String v = value == null ? "" : value;
            gen.writeString("\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
    }

    static final class Deserializer extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return unquote(p.getValueAsString());
        }
    }

    static String unquote(String s) {
        if (s != null && s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return s;
    }
}
