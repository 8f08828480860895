package io.longhorn.manager.api.error;

import io.longhorn.manager.service.InvalidInputException;
import io.longhorn.manager.service.ManagerException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A refused request becomes its status and code with the message naming what was wrong. */
@Provider
public class ManagerExceptionMapper implements ExceptionMapper<ManagerException> {
    @Override
    public Response toResponse(ManagerException e) {
        String field = e instanceof InvalidInputException i ? i.field() : null;
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(e.status(), e.code(), e.getMessage(), field)).build();
    }
}
