package io.longhorn.manager.api.error;

import io.longhorn.manager.store.ConflictException;
import io.longhorn.manager.store.ResourceNotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/** Anything else: store races as 409/404, the rest as 500 with the message, logged. */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<RuntimeException> {
    private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(RuntimeException e) {
        int status;
        String code;
        if (e instanceof ConflictException) {
            status = 409;
            code = "Conflict";
        } else if (e instanceof ResourceNotFoundException) {
            status = 404;
            code = "NotFound";
        } else {
            status = 500;
            code = "ServerError";
            LOG.errorf(e, "request failed: %s", e.getMessage());
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(status, code, String.valueOf(e.getMessage()), null)).build();
    }
}
