package dev.asyncqueue.status;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.ForwardingAsyncQueue;
import dev.asyncqueue.Invocation;

import java.util.concurrent.CompletionStage;

/**
 * A queue whose enqueues are recorded as {@link CallState#QUEUED}. The state is written before the
 * invocation is published: on one connection the store sees it first, so a worker's "running" can never
 * be overwritten by a late "queued". A failed enqueue is recorded as failed.
 */
final class TrackedQueue extends ForwardingAsyncQueue {
    private final StatusRecorder recorder;

    TrackedQueue(AsyncQueue queue, StatusRecorder recorder) {
        super(queue);
        this.recorder = recorder;
    }

    @Override
    public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
        recorder.queued(invocation);
        return delegate().enqueue(invocation).whenComplete((receipt, error) -> {
            if (error != null) recorder.notStored(invocation, error);
        });
    }
}
