package dev.asyncqueue;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** An {@link AsyncQueue} that hands every call to another; a decorator overrides only what it adds to. */
public abstract class ForwardingAsyncQueue implements AsyncQueue {
    private final AsyncQueue delegate;

    /** Forwards to {@code delegate}. */
    protected ForwardingAsyncQueue(AsyncQueue delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The queue calls are handed to. */
    protected final AsyncQueue delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
        return delegate.enqueue(invocation);
    }

    @Override
    public long maxMessageBytes() {
        return delegate.maxMessageBytes();
    }

    @Override
    public PendingMessages pending() {
        return delegate.pending();
    }

    @Override
    public boolean isAvailable() {
        return delegate.isAvailable();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** The delegate's, so logs name the real queue. */
    @Override
    public String toString() {
        return delegate.toString();
    }
}
