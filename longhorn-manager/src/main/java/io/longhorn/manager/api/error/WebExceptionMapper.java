package io.longhorn.manager.api.error;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Unknown paths, wrong methods and unreadable bodies get the same JSON error shape. */
@Provider
public class WebExceptionMapper implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String code = switch (status) {
            case 400 -> "InvalidBodyContent";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 415 -> "InvalidBodyContent";
            default -> "ServerError";
        };
        String message = e.getMessage() == null ? Response.Status.fromStatusCode(status).getReasonPhrase() : e.getMessage();
        if (status == 400 && e.getCause() != null) {
            message = "invalid request body: " + firstLine(e.getCause().getMessage());
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(status, code, message, null)).build();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
