package dev.asyncqueue.worker;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.internal.Failures;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.callback.CallbackSender;
import dev.asyncqueue.tracing.InvocationTracing;
import dev.asyncqueue.tracing.TracedStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * The life of a call: the function is invoked (unless the call was cancelled first), its result becomes
 * a {@link Settlement}, a final one is reported to the callback URL (in {@link #conclude}, the one place
 * callbacks are sent, cancellations included), and the delivery is settled, its permit released and its
 * slot freed. No thread waits on a call: each step runs when the one before completes.
 */
final class CallRunner {
    /** The engine logs under the worker's name, so operators configure and filter it as one logger. */
    private static final Logger log = LoggerFactory.getLogger(QueueWorker.class);
    /** Lines about one call have a logger of their own, so INFO on the engine's is lifecycle and failures. */
    private static final Logger perCall = LoggerFactory.getLogger(QueueWorker.CALL_LOGGER);
    /** Why a delivery goes back to the queue when the worker closes. */
    static final String SHUTTING_DOWN = "worker shutting down";
    /** Time a call is given beyond the invocation timeout before the worker gives up on it. */
    static final Duration DEADLINE_GRACE = Duration.ofSeconds(1);

    private final Invoker invoker;
    private final CallbackSender callbacks;
    private final SettlementRules rules;
    private final FreeReturns freeReturns;
    private final WorkerListener listener;
    private final Cancellations cancellations;
    private final InFlight inFlight;
    private final Ticker ticker;
    private final Duration rejectionDelay;
    private final InvocationTracing tracing;
    /** Where outcomes are handled; null: where the invoker's future completes. */
    private final Executor settleOn;

    CallRunner(Invoker invoker, CallbackSender callbacks, SettlementRules rules, FreeReturns freeReturns,
               WorkerListener listener, Cancellations cancellations, InFlight inFlight, Ticker ticker,
               Duration rejectionDelay, InvocationTracing tracing, Executor settleOn) {
        this.invoker = invoker;
        this.callbacks = callbacks;
        this.rules = rules;
        this.freeReturns = freeReturns;
        this.listener = listener;
        this.cancellations = cancellations;
        this.inFlight = inFlight;
        this.ticker = ticker;
        this.rejectionDelay = rejectionDelay;
        this.tracing = tracing;
        this.settleOn = settleOn == null ? null : task -> {
            try {
                settleOn.execute(task);
            } catch (RejectedExecutionException e) {
                task.run(); // a refused outcome must still be handled, or its slot and delivery are never freed
            }
        };
    }

    /** Runs {@code action} when {@code stage} completes: where it completes, or on the settling executor if any. */
    private <T> void whenDone(CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> action) {
        if (settleOn == null) {
            stage.whenComplete(action);
        } else {
            stage.whenCompleteAsync(action, settleOn);
        }
    }

    /** Takes over a delivery that holds a slot and {@code permit}, and calls its function. */
    void start(Delivery delivery, Permit permit) {
        Call call = new Call(delivery, permit, ticker.read());
        call.trace(tracing.attempt(delivery.invocation(), delivery.attempt()));
        inFlight.add(call);
        try {
            invoke(call);
        } catch (RuntimeException e) {
            // The call holds a slot from here on: whatever fails before its result is handled, the delivery
            // goes back to the queue and the slot is freed, so nothing waits for a keep-alive that never ends.
            log.error("starting call {} failed", delivery.invocation().callId(), e);
            if (call.claimSettlement()) {
                returnToQueue(delivery, rejectionDelay, "internal error");
                finish(call);
            }
        }
    }

    private void invoke(Call call) {
        Delivery delivery = call.delivery();
        Invocation invocation = delivery.invocation();
        if (isCancelled(invocation)) {
            call.claimSettlement();
            cancel(call, false);
            return;
        }
        call.markInvoked();
        listener.invocationStarted(invocation, delivery.attempt());
        if (perCall.isDebugEnabled()) { // position() builds a string: not on the per-message path unless asked for
            String position = delivery.position();
            callLog(perCall.atDebug(), invocation, delivery.attempt()).addKeyValue("position", position)
                    .log("invoking {} (call {}, attempt {}, {})", invocation.function(), invocation.callId(),
                            delivery.attempt(), position);
        }
        CompletionStage<InvocationResult> stage;
        try {
            stage = invokeTraced(call, invocation);
        } catch (RuntimeException e) {
            stage = CompletableFuture.completedFuture(InvocationResult.transportFailure(
                    "invoker failed: " + e, Duration.ZERO));
        }
        call.awaiting(stage.toCompletableFuture());
        whenDone(stage, (result, error) -> {
            // Shutdown, a cancellation or the deadline may have settled the call already.
            if (call.claimSettlement()) {
                settle(call, result != null ? result
                        : InvocationResult.transportFailure(Failures.describe(error), Duration.ZERO));
            }
        });
    }

    /**
     * Gives up on every call whose function has not answered within {@code timeout} and a grace of
     * {@link #DEADLINE_GRACE}: its answer is no longer awaited (the invoker's future is cancelled) and the
     * call ends as a transport failure, retried as the policy says. The grace lets an invoker that times
     * out by itself at {@code timeout} (the HTTP invoker does) report its own, more precise failure first.
     */
    void expireOverdue(Duration timeout) {
        for (Call call : inFlight.overdue(timeout.plus(DEADLINE_GRACE))) {
            if (!call.claimSettlement()) continue;
            call.abandon();
            Duration took = Duration.ofNanos(ticker.read() - call.startedAt());
            Invocation invocation = call.invocation();
            log.warn("call {} to {} had no answer within {}; given up as a transport failure", invocation.callId(),
                    invocation.function(), timeout);
            settle(call, InvocationResult.transportFailure("no answer within " + timeout, took));
        }
    }

    /** Settles a call whose settlement this thread claimed; a bug here still frees the delivery and the slot. */
    private void settle(Call call, InvocationResult result) {
        try {
            onResult(call, result);
        } catch (RuntimeException e) {
            log.error("handling the result of call {} failed", call.invocation().callId(), e);
            returnToQueue(call.delivery(), rejectionDelay, "internal error");
            finish(call);
        }
    }

    private void onResult(Call call, InvocationResult result) {
        Delivery delivery = call.delivery();
        Invocation invocation = delivery.invocation();
        if (isCancelled(invocation)) {
            // Cancelled while running but the invoker could not be stopped: its result is not retried.
            cancel(call, true);
            return;
        }
        Settlement settlement = rules.afterResult(invocation, delivery.attempt(), result);
        call.trace().tag("outcome", settlement.kind().name().toLowerCase(Locale.ROOT));
        if (settlement.kind() == Settlement.Kind.RETURN) {
            call.releasePermit(Outcome.REJECTED);
            returnToQueue(delivery, settlement.delay(), settlement.reason());
            finish(call);
            return;
        }
        call.releasePermit(Outcome.of(result));
        listener.invocationFinished(invocation, result, settlement.decision());
        if (settlement.kind() == Settlement.Kind.RETRY) {
            callLog(perCall.atInfo(), invocation, delivery.attempt()).addKeyValue("status", result.status())
                    .addKeyValue("outcome", "retrying").addKeyValue("retry_in_ms", settlement.delay().toMillis())
                    .log("call {} to {}: {}; retrying in {}", invocation.callId(), invocation.function(),
                            settlement.reason(), settlement.delay());
            settleQuietly(() -> delivery.retryAfter(settlement.delay()), delivery);
            finish(call);
            return;
        }
        forgetFreeReturns(invocation);
        // A success is the common case: DEBUG, so a busy worker's INFO log is not a line per call.
        callLog(result.isSuccess() ? perCall.atDebug() : perCall.atInfo(), invocation, delivery.attempt())
                .addKeyValue("status", result.status())
                .addKeyValue("outcome", result.isSuccess() ? "succeeded" : "failed")
                .addKeyValue("duration_ms", result.duration().toMillis())
                .log("call {} to {}: {} in {} ms", invocation.callId(), invocation.function(), settlement.reason(),
                        result.duration().toMillis());
        conclude(call, result, settlement);
    }

    /** Hears cancellations: a running call is abandoned (its future cancelled) and not retried. */
    void cancelRunning(String callId) {
        for (Call call : inFlight.snapshot()) {
            if (call.invocation().callId().equals(callId) && call.claimSettlement()) {
                call.abandon();
                cancel(call, true);
            }
        }
    }

    /** Ends a cancelled call without (further) invoking it: acked after a callback saying it was cancelled. */
    private void cancel(Call call, boolean wasRunning) {
        Delivery delivery = call.delivery();
        Invocation invocation = delivery.invocation();
        listener.cancelled(invocation, wasRunning);
        Settlement settlement = rules.cancelled(invocation, delivery.attempt());
        call.trace().tag("outcome", "cancelled");
        forgetFreeReturns(invocation);
        callLog(perCall.atInfo(), invocation, delivery.attempt()).addKeyValue("outcome", "cancelled")
                .log("call {} to {} cancelled {}", invocation.callId(), invocation.function(),
                        wasRunning ? "while running" : "before it ran");
        call.releasePermit(Outcome.IGNORED);
        conclude(call, InvocationResult.cancelled(Duration.ofNanos(ticker.read() - call.startedAt())), settlement);
    }

    /** Gives every call not yet settled back to the queue for immediate redelivery, abandoning its function call. */
    void abandonAll() {
        for (Call call : inFlight.snapshot()) {
            if (call.claimSettlement()) {
                call.abandon();
                returnToQueue(call.delivery(), Duration.ZERO, SHUTTING_DOWN);
                finish(call);
            }
        }
    }

    /**
     * Posts a final result to the call's callback URL, if it has one, then settles the delivery as
     * {@code settlement} says. The delivery is settled only after the callback was tried, so a crash in
     * between redelivers it; a callback that fails is reported, not retried.
     */
    private void conclude(Call call, InvocationResult result, Settlement settlement) {
        Delivery delivery = call.delivery();
        Invocation invocation = delivery.invocation();
        Runnable settle = settlement.kind() == Settlement.Kind.DEAD_LETTER ? () -> {
            delivery.deadLetter(Delivery.RETRIES_EXHAUSTED, result.status(), settlement.retries() + 1);
            listener.deadLettered(invocation, Delivery.RETRIES_EXHAUSTED, result.status());
        } : delivery::ack;
        Optional<URI> callbackUrl = invocation.callbackUrl();
        if (callbackUrl.isEmpty()) {
            settleQuietly(settle, delivery);
            finish(call);
            return;
        }
        CompletionStage<Integer> sent;
        try {
            sent = sendTraced(call, new Callback(callbackUrl.get(), invocation, result, settlement.retries(),
                    settlement.maxRetries()));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        whenDone(sent, (status, error) -> {
            try {
                if (error != null) {
                    String why = Failures.describe(error);
                    perCall.warn("callback for call {} to {} failed: {}", invocation.callId(), redact(callbackUrl.get()), why);
                    listener.callbackFailed(invocation, why);
                } else if (status == null || status >= 300) {
                    perCall.warn("callback for call {} to {} answered {}", invocation.callId(), redact(callbackUrl.get()), status);
                    listener.callbackFailed(invocation, "status " + status);
                }
            } finally {
                // Reporting is advisory; settling is not: the call ends here whatever the report did.
                settleQuietly(settle, delivery);
                finish(call);
            }
        });
    }

    /** Calls the function inside the attempt's trace: it gets the trace context of the function call's step. */
    private CompletionStage<InvocationResult> invokeTraced(Call call, Invocation invocation) {
        TracedStep step = tracing.functionCall(call.trace(), invocation);
        if (step == TracedStep.NONE) return invoker.invoke(invocation);
        CompletionStage<InvocationResult> stage;
        try {
            stage = invoker.invoke(step.carriedBy(invocation));
        } catch (RuntimeException e) {
            step.end(Failures.describe(e));
            throw e;
        }
        stage.whenComplete((result, error) -> {
            if (result != null) step.tag("status", Integer.toString(result.status()));
            step.end(error != null ? Failures.describe(error)
                    : result.isSuccess() ? null : result.transportError().orElse("status " + result.status()));
        });
        return stage;
    }

    /** Posts a callback inside the attempt's trace: the receiver gets the trace context of the callback's step. */
    private CompletionStage<Integer> sendTraced(Call call, Callback callback) {
        TracedStep step = tracing.callback(call.trace(), callback.invocation());
        if (step == TracedStep.NONE) return callbacks.send(callback);
        CompletionStage<Integer> sent;
        try {
            sent = callbacks.send(new Callback(callback.url(), callback.invocation(), step.carriedBy(callback.result()),
                    callback.retries(), callback.maxRetries()));
        } catch (RuntimeException e) {
            step.end(Failures.describe(e));
            throw e;
        }
        sent.whenComplete((status, error) -> step.end(error != null ? Failures.describe(error)
                : status >= 300 ? "status " + status : null));
        return sent;
    }

    /** Sends a delivery back to the queue without using up a retry. */
    void returnToQueue(Delivery delivery, Duration delay, String why) {
        try {
            freeReturns.record(delivery.invocation().callId());
        } catch (RuntimeException e) { // the count is advisory: the delivery goes back all the same
            log.warn("counting the free return of call {} failed: {}", delivery.invocation().callId(), e.toString());
        }
        listener.deliveryReturned(delivery.invocation(), why);
        perCall.debug("returning call {} to the queue in {}: {}", delivery.invocation().callId(), delay, why);
        settleQuietly(() -> delivery.retryAfter(delay), delivery);
    }

    /** Whether the call was cancelled; a source of cancellations that fails counts as saying no. */
    private boolean isCancelled(Invocation invocation) {
        try {
            return cancellations.isCancelled(invocation.callId());
        } catch (RuntimeException e) {
            log.warn("asking whether call {} was cancelled failed: {}", invocation.callId(), e.toString());
            return false;
        }
    }

    private void forgetFreeReturns(Invocation invocation) {
        try {
            freeReturns.forget(invocation.callId());
        } catch (RuntimeException e) {
            log.debug("forgetting the free returns of call {} failed: {}", invocation.callId(), e.toString());
        }
    }

    /** The call is over: its permit (if still held) goes back, its slot is freed. */
    private void finish(Call call) {
        call.releasePermit(Outcome.IGNORED);
        call.endTrace();
        if (inFlight.remove(call)) {
            if (call.invoked()) listener.invocationEnded(call.invocation());
            inFlight.freeSlot();
        }
    }

    private static void settleQuietly(Runnable settle, Delivery delivery) {
        try {
            settle.run();
        } catch (RuntimeException e) {
            // The queue will redeliver after its ack wait; nothing is lost, at worst the call repeats.
            log.warn("settling {} failed: {}", delivery.position(), e.toString());
        }
    }

    /** The fields every log line about a call carries, for structured (JSON) logs. */
    private static LoggingEventBuilder callLog(LoggingEventBuilder event, Invocation invocation, int attempt) {
        return event.addKeyValue("call_id", invocation.callId()).addKeyValue("function", invocation.function())
                .addKeyValue("attempt", attempt);
    }

    /** A URL fit for logs: no user info, query or fragment, which may carry tokens. */
    static String redact(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getPath() == null ? "" : url.getPath());
    }
}
