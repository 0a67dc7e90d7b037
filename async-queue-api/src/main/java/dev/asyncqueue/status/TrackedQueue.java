package dev.asyncqueue.status;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.PendingMessages;

import java.util.concurrent.CompletionStage;

/**
 * A queue whose enqueues are recorded as {@link CallState#QUEUED}. The state is written before the
 * invocation is published: on one connection the store sees it first, so a worker's "running" can never
 * be overwritten by a late "queued". A failed enqueue is recorded as failed.
 */
final class TrackedQueue implements AsyncQueue {
    private final AsyncQueue queue;
    private final StatusRecorder recorder;

    TrackedQueue(AsyncQueue queue, StatusRecorder recorder) {
        this.queue = queue;
        this.recorder = recorder;
    }

    @Override
    public String name() {
        return queue.name();
    }

    @Override
    public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
        recorder.queued(invocation);
        return queue.enqueue(invocation).whenComplete((receipt, error) -> {
            if (error != null) recorder.notStored(invocation, error);
        });
    }

    @Override
    public long maxMessageBytes() {
        return queue.maxMessageBytes();
    }

    @Override
    public PendingMessages pending() {
        return queue.pending();
    }

    @Override
    public boolean isAvailable() {
        return queue.isAvailable();
    }

    @Override
    public void close() {
        queue.close();
    }

    @Override
    public String toString() {
        return queue.toString();
    }
}
