package io.longhorn.backupstore.format;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.longhorn.backupstore.error.CorruptDataException;
import java.io.IOException;

/** The JSON codec of cfg and lock files. Unknown fields are ignored, as Go's decoder does. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * Decodes a file's content.
     *
     * @param what names the file in errors
     * @throws CorruptDataException when the content is not the expected JSON
     */
    public static <T> T read(byte[] data, Class<T> type, String what) {
        try {
            return MAPPER.readValue(data, type);
        } catch (IOException e) {
            throw new CorruptDataException(what + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
