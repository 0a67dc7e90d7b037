package dev.asyncqueue.tracing;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;

import java.util.Map;

/** One traced step of an invocation: started by {@link InvocationTracing}, tagged, and ended exactly once. */
public interface TracedStep {

    /** A step that records nothing and carries no context. */
    TracedStep NONE = new TracedStep() {
        @Override
        public Map<String, String> headers() {
            return Map.of();
        }

        @Override
        public TracedStep tag(String key, String value) {
            return this;
        }

        @Override
        public void end(String failure) {
        }

        @Override
        public String toString() {
            return "TracedStep.NONE";
        }
    };

    /**
     * The headers that carry this step's trace context to whoever it sends to ({@code traceparent}, maybe
     * {@code tracestate}); empty when it sends nothing on or nothing is traced.
     */
    Map<String, String> headers();

    /** Adds a tag of few distinct values (a status class, an outcome); returns this step. */
    TracedStep tag(String key, String value);

    /** Ends the step: {@code failure} says why it failed, null when it did not. */
    void end(String failure);

    /** {@code invocation} with this step's {@link #headers()} in place of any it had; itself when there are none. */
    default Invocation carriedBy(Invocation invocation) {
        Map<String, String> context = headers();
        return context.isEmpty() ? invocation
                : invocation.toBuilder().headers(TraceHeaders.replaced(invocation.headers(), context)).build();
    }

    /** {@code result} with this step's {@link #headers()} in place of any it had; itself when there are none. */
    default InvocationResult carriedBy(InvocationResult result) {
        Map<String, String> context = headers();
        return context.isEmpty() ? result : new InvocationResult(result.status(),
                TraceHeaders.replaced(result.headers(), context), result.body(), result.duration(),
                result.transportError());
    }
}
