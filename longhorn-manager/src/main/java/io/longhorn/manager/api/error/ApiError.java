package io.longhorn.manager.api.error;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The error body: {@code {type: "error", status, code, message}}, plus {@code fieldName} when one
 * field was wrong.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String type, int status, String code, String message, String fieldName) {
    public static ApiError of(int status, String code, String message, String fieldName) {
        return new ApiError("error", status, code, message, fieldName);
    }
}
