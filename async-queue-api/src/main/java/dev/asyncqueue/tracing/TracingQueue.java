package dev.asyncqueue.tracing;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.internal.Failures;
import dev.asyncqueue.ForwardingAsyncQueue;
import dev.asyncqueue.Invocation;

import java.util.concurrent.CompletionStage;

/** A queue whose enqueues are traced, each storing the invocation with the enqueue's trace context in its headers. */
final class TracingQueue extends ForwardingAsyncQueue {
    private final InvocationTracing tracing;

    TracingQueue(AsyncQueue queue, InvocationTracing tracing) {
        super(queue);
        this.tracing = tracing;
    }

    @Override
    public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
        TracedStep step = tracing.enqueue(invocation);
        try {
            return delegate().enqueue(step.carriedBy(invocation))
                    .whenComplete((receipt, error) -> step.end(error == null ? null : Failures.describe(error)));
        } catch (RuntimeException e) {
            step.end(Failures.describe(e));
            throw e;
        }
    }
}
