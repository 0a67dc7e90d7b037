package dev.asyncqueue.tracing;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.Invocation;

/**
 * Where the queue and the worker report the steps of an invocation to a tracing system. The caller's trace context
 * goes into the queued invocation's headers at {@link #enqueue}; each {@link #attempt} continues from it; the
 * function call and the callback inside an attempt send their own context on, so the function and the callback
 * receiver see a {@code traceparent} that is the attempt's child. {@link #NONE} reports nothing and costs nothing;
 * {@link ObservationTracing} reports to Micrometer Observation.
 */
public interface InvocationTracing {

    /** Traces nothing: every step is {@link TracedStep#NONE}. */
    InvocationTracing NONE = new InvocationTracing() {
        @Override
        public TracedStep enqueue(Invocation invocation) {
            return TracedStep.NONE;
        }

        @Override
        public TracedStep attempt(Invocation queued, int attempt) {
            return TracedStep.NONE;
        }

        @Override
        public TracedStep functionCall(TracedStep attempt, Invocation invocation) {
            return TracedStep.NONE;
        }

        @Override
        public TracedStep callback(TracedStep attempt, Invocation invocation) {
            return TracedStep.NONE;
        }

        @Override
        public String toString() {
            return "InvocationTracing.NONE";
        }
    };

    /** An enqueue starts, in the caller's current trace; store {@code step.carriedBy(invocation)}. */
    TracedStep enqueue(Invocation invocation);

    /** A worker starts attempt {@code attempt} of a queued invocation, continuing the trace its headers carry. */
    TracedStep attempt(Invocation queued, int attempt);

    /** The function call of an attempt starts; the function gets {@code step.carriedBy(invocation)}. */
    TracedStep functionCall(TracedStep attempt, Invocation invocation);

    /** The callback of an attempt's final result starts; the receiver gets the step's {@link TracedStep#headers()}. */
    TracedStep callback(TracedStep attempt, Invocation invocation);

    /** {@code queue}, with each enqueue traced by {@code tracing} and carrying its trace context into the queue. */
    static AsyncQueue traced(AsyncQueue queue, InvocationTracing tracing) {
        return tracing == NONE ? queue : new TracingQueue(queue, guarded(tracing));
    }

    /**
     * {@code tracing}, made harmless: a step that fails to start is {@link TracedStep#NONE}, a tag or an end that
     * throws is logged and skipped, so a broken tracer never changes what happens to a call. The queue and the
     * worker use their tracing this way.
     */
    static InvocationTracing guarded(InvocationTracing tracing) {
        return tracing == NONE || tracing instanceof GuardedTracing ? tracing : new GuardedTracing(tracing);
    }
}
