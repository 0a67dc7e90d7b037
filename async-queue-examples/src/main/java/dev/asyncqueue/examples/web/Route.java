package dev.asyncqueue.examples.web;

/**
 * What serves requests under a path: decides on each request's head, on the server's I/O thread, so it
 * must not block; work that may block is handed over as {@link Admission.Blocking} or {@link Admission.Offload}.
 */
@FunctionalInterface
public interface Route {
    /** What to do with the request whose head this is. */
    Admission admit(Request request);
}
