package io.longhorn.manager.api.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A body that is not JSON (or not of the expected shape) is a 400 that says where it broke. */
@Provider
public class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {
    @Override
    public Response toResponse(JsonProcessingException e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(400, "InvalidBodyContent", "invalid request body: "
                        + WebExceptionMapper.firstLine(e.getOriginalMessage()), null)).build();
    }
}
