package io.eventline.http;

import java.util.List;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.eventline.changerecord.Roles;
import io.eventline.http.common.ProblemJson;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** Turns every failure into a problem ({@link ProblemJson}): never an HTML page, never a bare 500. */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response problem(Problem p) {
        return respond(p);
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(lastNode(v.getPropertyPath().toString()), v.getMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .toList();
        String detail = errors.stream().map(f -> f.field() + " " + f.message()).reduce((a, b) -> a + "; " + b)
                .orElse("invalid request");
        return respond(new Problem(400, "Invalid request", detail, errors));
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return respond(Problem.badRequest(u.getPropertyName(), "is not a field of this request"));
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty() && !(e instanceof JsonParseException)) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> a + "." + b).orElse("body");
            return respond(Problem.badRequest(field, "has the wrong type or format"));
        }
        return respond(new Problem(400, "Malformed JSON", "the body is not valid JSON", List.of()));
    }

    /** Quarkus maps these subtypes itself (as plain JSON); ours take precedence for the same types. */
    @ServerExceptionMapper({ MismatchedInputException.class, UnrecognizedPropertyException.class,
            com.fasterxml.jackson.databind.exc.InvalidDefinitionException.class,
            InvalidFormatException.class, JsonParseException.class })
    public Response mismatched(JsonProcessingException e) {
        return unreadable(e);
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(Exception e) {
        // A verified token that names no single Eventline role or no usable sub says why (Roles).
        String detail = e.getCause() instanceof Roles.Refused refused ? refused.getMessage() : "a valid bearer token is required";
        return new Problem(401, "Unauthorized", detail, List.of()).json().header("WWW-Authenticate", "Bearer").response();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return respond(Problem.forbidden("your role may not do this"));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadable(json);
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "Error" : type.getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "this method is not allowed here";
            case 406 -> "this resource answers application/json";
            case 413 -> "the body is larger than 64 KiB";
            case 415 -> "send the body as application/json";
            default -> e.getMessage();
        };
        return respond(new Problem(status, title, detail, List.of()));
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        if (databaseUnavailable(e)) {
            // Not our bug and not the client's: the database is down or restarting. Nothing was
            // committed (the transaction failed), so the client may simply try again.
            Log.warnf("database unavailable: %s", rootMessage(e));
            // Before the commit, nothing was changed. During it, the database may have applied the
            // change just before the connection went away; a retry with the same Idempotency-Key
            // answers with that result instead of applying it twice.
            String detail = duringCommit(e)
                    ? "the database went away while committing, so the change may or may not have been applied;"
                            + " retry with the same Idempotency-Key to apply it exactly once"
                    : "the database is unavailable; nothing was changed, try again shortly";
            return new Problem(503, "Service unavailable", detail, List.of()).json().header("Retry-After", "2").response();
        }
        String state = sqlState(e);
        if (state != null && state.startsWith("22")) {
            // A data exception (SQLState class 22): a value the database cannot store, such as a NUL
            // character in text or a date outside its range. The client's input, not our failure.
            Log.debugf("unstorable value: %s", rootMessage(e));
            return respond(new Problem(400, "Invalid request",
                    "a value cannot be stored: it contains a NUL character, or a number or date out of range", List.of()));
        }
        Log.error("unexpected failure", e);
        return respond(new Problem(500, "Internal error", "something went wrong on our side", List.of()));
    }

    public static Response respond(Problem p) {
        return p.json().response();
    }

    /**
     * A failure to reach the database anywhere in the exception's graph: SQLState class 08
     * (connection exception), 57P01-57P03 (the server is shutting down, crashed or starting), 53300
     * (too many connections), the pool giving up waiting for a connection, or the transaction
     * manager losing the connection while it committed. The graph includes suppressed exceptions:
     * when a commit fails, Narayana throws a {@code RollbackException} or {@code
     * HeuristicMixedException} whose cause is empty and whose suppressed list holds the resource's
     * {@code XAException}, itself caused by the driver's {@code SQLException}.
     */
    static boolean databaseUnavailable(Throwable e) {
        for (Throwable t : graph(e)) {
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P0") || state.equals("53300"))) {
                    return true;
                }
                String message = String.valueOf(sql.getMessage());
                if (message.contains("cquisition timeout")) {
                    return true;
                }
            }
            if (t instanceof javax.transaction.xa.XAException xa
                    && (xa.errorCode == javax.transaction.xa.XAException.XA_RBCOMMFAIL
                            || xa.errorCode == javax.transaction.xa.XAException.XAER_RMFAIL)) {
                return true;
            }
            if (t.getClass().getName().equals("org.hibernate.exception.JDBCConnectionException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the failure happened while committing, when the database may or may not have
     * applied the change before the connection went away.
     */
    static boolean duringCommit(Throwable e) {
        for (Throwable t : graph(e)) {
            if (t instanceof jakarta.transaction.RollbackException || t instanceof jakarta.transaction.HeuristicMixedException
                    || t instanceof jakarta.transaction.HeuristicRollbackException
                    || t instanceof javax.transaction.xa.XAException) {
                return true;
            }
        }
        return false;
    }

    /** The SQLState of the first SQLException in the exception's graph, or null. */
    static String sqlState(Throwable e) {
        for (Throwable t : graph(e)) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /**
     * Every throwable reachable from {@code e} through causes, suppressed exceptions and
     * {@link java.sql.SQLException#getNextException()}, breadth first, each once.
     */
    static List<Throwable> graph(Throwable e) {
        List<Throwable> seen = new java.util.ArrayList<>();
        java.util.Set<Throwable> visited = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Throwable> queue = new java.util.ArrayDeque<>();
        queue.add(e);
        while (!queue.isEmpty() && seen.size() < 64) {
            Throwable t = queue.poll();
            if (!visited.add(t)) {
                continue;
            }
            seen.add(t);
            if (t.getCause() != null) {
                queue.add(t.getCause());
            }
            java.util.Collections.addAll(queue, t.getSuppressed());
            if (t instanceof java.sql.SQLException sql && sql.getNextException() != null) {
                queue.add(sql.getNextException());
            }
        }
        return seen;
    }

    /** The first SQLException's message in the graph, else the deepest cause's. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        for (Throwable t : graph(e)) {
            if (t instanceof java.sql.SQLException) {
                root = t;
                break;
            }
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
