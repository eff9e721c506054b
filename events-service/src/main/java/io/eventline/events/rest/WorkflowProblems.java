package io.eventline.events.rest;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.eventline.events.EventStatus;
import io.eventline.http.Problem;
import io.eventline.http.ProblemMapper;
import jakarta.ws.rs.core.Response;

/** A transition the workflow does not allow: 409, naming the current state. */
public class WorkflowProblems {

    @ServerExceptionMapper
    public Response invalidTransition(EventStatus.InvalidTransitionException e) {
        return ProblemMapper.respond(Problem.conflict(e.getMessage()).with("currentStatus", e.current.name()));
    }
}
