/**
 * Tracing an invocation across the queue: {@link dev.asyncqueue.tracing.InvocationTracing} is the hook the queue
 * and the worker report each step to (the enqueue, each attempt, the function call inside it, the callback), and
 * the trace context travels inside the queued message as its {@code traceparent} header. The engine knows only
 * the hook and its no-op {@link dev.asyncqueue.tracing.InvocationTracing#NONE}; {@link
 * dev.asyncqueue.tracing.ObservationTracing} reports to Micrometer Observation and is the one class here that
 * needs Micrometer on the class path.
 */
package dev.asyncqueue.tracing;
