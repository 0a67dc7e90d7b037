package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.retry.RetryDecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/** Several listeners as one; a listener that throws is logged and the others still hear the event. */
final class CompositeListener implements WorkerListener {
    private static final Logger log = LoggerFactory.getLogger(CompositeListener.class);

    private final List<WorkerListener> listeners;

    CompositeListener(List<WorkerListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    private void each(Consumer<WorkerListener> event) {
        for (WorkerListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                log.warn("worker listener {} failed: {}", listener, e.toString());
            }
        }
    }

    @Override
    public void invocationStarted(Invocation invocation, int attempt) {
        each(l -> l.invocationStarted(invocation, attempt));
    }

    @Override
    public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
        each(l -> l.invocationFinished(invocation, result, decision));
    }

    @Override
    public void invocationEnded(Invocation invocation) {
        each(l -> l.invocationEnded(invocation));
    }

    @Override
    public void deliveryReturned(Invocation invocation, String why) {
        each(l -> l.deliveryReturned(invocation, why));
    }

    @Override
    public void callbackFailed(Invocation invocation, String why) {
        each(l -> l.callbackFailed(invocation, why));
    }

    @Override
    public void deadLettered(Invocation invocation, String reason, int lastStatus) {
        each(l -> l.deadLettered(invocation, reason, lastStatus));
    }

    @Override
    public void cancelled(Invocation invocation, boolean wasRunning) {
        each(l -> l.cancelled(invocation, wasRunning));
    }

    @Override
    public void stateChanged(WorkerState state, String why) {
        each(l -> l.stateChanged(state, why));
    }
}
