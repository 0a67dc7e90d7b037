package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.retry.RetryDecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * The one place the engine hears its listeners: every event goes to each listener in turn, and one that
 * throws is logged while the others still hear it. The engine calls listeners between the steps that
 * settle a call; an exception escaping there would leave the delivery unsettled and its slot taken, so
 * the builder wraps whatever listener it is given in this.
 */
final class GuardedListener implements WorkerListener {
    private static final Logger log = LoggerFactory.getLogger(QueueWorker.class);

    private final List<WorkerListener> listeners;

    private GuardedListener(List<WorkerListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** {@code listeners} as one listener that never throws. */
    static WorkerListener of(List<WorkerListener> listeners) {
        return new GuardedListener(listeners);
    }

    /** {@code listener} guarded, unless it already is. */
    static WorkerListener of(WorkerListener listener) {
        return listener instanceof GuardedListener ? listener : new GuardedListener(List.of(listener));
    }

    private void each(String event, Consumer<WorkerListener> call) {
        for (WorkerListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable e) { // a listener's bug, whatever its type, must not decide a call's fate
                log.warn("worker listener {} failed in {}: {}", listener, event, e.toString());
                log.debug("listener failure", e);
            }
        }
    }

    @Override
    public void invocationStarted(Invocation invocation, int attempt) {
        each("invocationStarted", l -> l.invocationStarted(invocation, attempt));
    }

    @Override
    public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
        each("invocationFinished", l -> l.invocationFinished(invocation, result, decision));
    }

    @Override
    public void invocationEnded(Invocation invocation) {
        each("invocationEnded", l -> l.invocationEnded(invocation));
    }

    @Override
    public void deliveryReturned(Invocation invocation, String why) {
        each("deliveryReturned", l -> l.deliveryReturned(invocation, why));
    }

    @Override
    public void callbackFailed(Invocation invocation, String why) {
        each("callbackFailed", l -> l.callbackFailed(invocation, why));
    }

    @Override
    public void deadLettered(Invocation invocation, String reason, int lastStatus) {
        each("deadLettered", l -> l.deadLettered(invocation, reason, lastStatus));
    }

    @Override
    public void cancelled(Invocation invocation, boolean wasRunning) {
        each("cancelled", l -> l.cancelled(invocation, wasRunning));
    }

    @Override
    public void stateChanged(WorkerState state, String why) {
        each("stateChanged", l -> l.stateChanged(state, why));
    }

    @Override
    public String toString() {
        return "GuardedListener" + listeners;
    }
}
