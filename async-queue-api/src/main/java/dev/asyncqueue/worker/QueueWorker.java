package dev.asyncqueue.worker;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Delivery;
import dev.asyncqueue.Failures;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.Threads;
import dev.asyncqueue.WorkSource;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.callback.CallbackSender;
import dev.asyncqueue.callback.GuardedCallbackSender;
import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.http.HttpCallbackSender;
import dev.asyncqueue.retry.RetryDecision;
import dev.asyncqueue.retry.RetryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;

/**
 * The transport-neutral queue-worker: pulls deliveries as capacity allows, calls the function while
 * keeping the delivery alive, retries with back-off, posts the final callback and settles the delivery.
 *
 * <p>Threads: one dispatcher thread pulls; calls run on the {@link Invoker}'s asynchronous machinery;
 * one scheduler thread sends keep-alives. No thread waits on a function call.
 */
public final class QueueWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueWorker.class);

    private final String name;
    private final ConsumerStrategy consumer;
    private final Invoker invoker;
    private final RetryPolicy retryPolicy;
    private final CallbackSender callbacks;
    private final AutoCloseable ownedCallbacks;
    private final LimiterLookup limiters;
    private final boolean rejectionsWaitInQueue;
    private final Duration rejectionDelay;
    private final int maxInflight;
    private final Duration keepAliveInterval;
    private final Duration pollWait;
    private final Duration shutdownGrace;
    private final Duration callbackTimeout;
    private final int maxFreeReturns;
    private final Clock clock;
    private final DoubleSupplier random;
    private final WorkerListener listener;
    private final Cancellations cancellations;

    private final Semaphore slots;
    private final ScheduledExecutorService scheduler;
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();
    /** Returns that did not use up a retry, per call id, so the delivery count can be corrected. */
    private final Map<String, Integer> freeReturns = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                // Calls finished by another worker never come back here to be removed: keep the most recent only.
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                    return size() > 100_000;
                }
            });
    private final Map<String, Map<String, String>> annotationsSeen = new ConcurrentHashMap<>();
    private final Object idle = new Object();
    private volatile boolean running;
    private boolean closed;
    private volatile Thread dispatcher;

    private QueueWorker(Builder b) {
        this.name = b.name;
        this.consumer = Objects.requireNonNull(b.consumer, "consumer");
        this.invoker = Objects.requireNonNull(b.invoker, "invoker");
        this.retryPolicy = b.retryPolicy;
        if (b.callbacks == null) {
            HttpCallbackSender sender = new HttpCallbackSender(b.callbackTimeout);
            this.callbacks = new GuardedCallbackSender(sender, CallbackPolicy.defaults(), Optional.empty());
            this.ownedCallbacks = sender;
        } else {
            this.callbacks = b.callbacks;
            this.ownedCallbacks = null;
        }
        this.limiters = b.limiters;
        this.rejectionsWaitInQueue = b.rejectionsWaitInQueue;
        this.rejectionDelay = b.rejectionDelay;
        this.maxInflight = b.maxInflight;
        this.keepAliveInterval = b.keepAliveInterval;
        this.pollWait = b.pollWait;
        this.shutdownGrace = b.shutdownGrace;
        this.callbackTimeout = b.callbackTimeout;
        this.maxFreeReturns = b.maxFreeReturns;
        this.clock = b.clock;
        this.random = b.random;
        this.listener = b.listener;
        this.cancellations = b.cancellations;
        this.slots = new Semaphore(maxInflight);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Threads.named("async-queue-timer-" + name));
    }

    /** The one front door: configure, then {@link Builder#build()} and {@link #start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts pulling; returns at once.
     *
     * @throws IllegalStateException when the worker was closed: its threads are gone, build a new one
     */
    public synchronized void start() {
        if (closed) throw new IllegalStateException("queue-worker " + name + " is closed; build a new one");
        if (running) return;
        consumer.start();
        cancellations.onCancel(this::cancelRunning);
        running = true;
        Thread t = Threads.named("async-queue-dispatcher-" + name).newThread(this::dispatchLoop);
        t.setDaemon(false);
        dispatcher = t;
        long sweep = Math.max(1, keepAliveInterval.toMillis() / 2);
        scheduler.scheduleAtFixedRate(this::keepAliveSweep, sweep, sweep, TimeUnit.MILLISECONDS);
        t.start();
        log.info("queue-worker {} started: max_inflight={}, retries={}", name, maxInflight, retryPolicy);
    }

    /** Invocations being worked on now (calls and their callbacks). */
    public int inFlight() {
        return calls.size();
    }

    /** The most invocations this worker works on at once. */
    public int maxInflight() {
        return maxInflight;
    }

    /**
     * Stops pulling, lets calls in flight finish within the grace period, returns the rest to the
     * queue for immediate redelivery, and stops every thread the worker started.
     */
    @Override
    public void close() {
        Thread t;
        boolean started;
        synchronized (this) {
            if (closed) return;
            closed = true;
            started = running || dispatcher != null;
            running = false;
            t = dispatcher;
            dispatcher = null;
        }
        if (!started) {
            // Never started: nothing was pulled, but the scheduler and an owned callback sender still need stopping.
            releaseResources();
            return;
        }
        synchronized (idle) {
            idle.notifyAll();
        }
        joinQuietly(t, pollWait.plusSeconds(2));
        awaitCalls(shutdownGrace);
        for (Call call : List.copyOf(calls)) {
            if (call.settle()) {
                call.abandon();
                returnToQueue(call.delivery, Duration.ZERO, "worker shutting down");
                finishCall(call, Outcome.IGNORED);
            }
        }
        // What is left has a final result and its callback on the way; cutting that short would
        // leave the message unacked, and the call would run again elsewhere.
        awaitCalls(callbackTimeout);
        consumer.close();
        releaseResources();
        log.info("queue-worker {} stopped", name);
    }

    private void awaitCalls(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (idle) {
            while (!calls.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    private void releaseResources() {
        scheduler.shutdownNow();
        if (ownedCallbacks != null) {
            try {
                ownedCallbacks.close();
            } catch (Exception e) {
                log.debug("closing the callback sender failed", e);
            }
        }
    }

    private static void joinQuietly(Thread t, Duration wait) {
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join(wait.toMillis());
            if (t.isAlive()) {
                t.interrupt();
                t.join(wait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dispatchLoop() {
        while (running) {
            // Slots held by the dispatcher and not yet handed to a delivery; counted down as deliveries arrive,
            // so a pull that fails part-way gives back only what it did not use.
            int[] free = {0};
            try {
                if (!slots.tryAcquire(pollWait.toMillis(), TimeUnit.MILLISECONDS)) continue;
                free[0] = 1 + slots.drainPermits();
                pullOnce(free);
            } catch (InterruptedException e) {
                if (running) log.warn("dispatcher of {} interrupted; stopping", name);
                break;
            } catch (RuntimeException e) {
                log.warn("pulling from queue {} failed: {}", name, e.toString());
                log.debug("pull failure", e);
                pauseAfterFailure();
            } catch (VirtualMachineError fatal) {
                log.error("dispatcher of {} stopping: {}", name, fatal.toString());
                throw fatal;
            } catch (Error e) {
                // An Error from a decoder or a listener must not silently end the only pulling thread.
                log.error("pulling from queue {} failed", name, e);
                pauseAfterFailure();
            } finally {
                if (free[0] > 0) slots.release(free[0]);
            }
        }
    }

    private void pauseAfterFailure() {
        synchronized (idle) {
            try {
                if (running) idle.wait(pollWait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Pulls once from each source while capacity lasts; {@code free[0]} is left at the capacity not used. */
    private void pullOnce(int[] free) throws InterruptedException {
        List<WorkSource> sources = consumer.sources();
        if (sources.isEmpty()) {
            pauseAfterFailure();
            return;
        }
        // Only a lone shared source is long-polled: a function's source holds limiter permits while it
        // waits, and its work is known to exist, so it is asked without waiting.
        boolean waitForWork = sources.size() == 1 && sources.get(0).function().isEmpty();
        int fetched = 0;
        int sourcesLeft = sources.size();
        for (WorkSource source : sources) {
            if (free[0] == 0 || !running) break;
            Optional<String> function = source.function();
            ArrayDeque<Permit> permits = null;
            // Equal shares of what is free among the sources not yet served this round; what one leaves
            // unused goes to the next. The strategy rotates the order, so no source is always first.
            int want = (free[0] + sourcesLeft - 1) / sourcesLeft--;
            if (function.isPresent()) {
                permits = acquire(function.get(), want);
                want = permits.size();
                if (want == 0) continue;
            }
            ArrayDeque<Permit> granted = permits;
            int before = free[0];
            try {
                source.fetch(want, waitForWork ? pollWait : Duration.ZERO, delivery -> {
                    free[0]--; // the delivery holds this slot from here on
                    start(delivery, granted == null ? null : granted.poll());
                });
            } finally {
                fetched += before - free[0];
                if (granted != null) {
                    granted.forEach(p -> p.release(Outcome.IGNORED));
                }
            }
        }
        if (fetched == 0 && !waitForWork) {
            // Nothing could start (no work ready, or no permits): wait for a call to end rather than spin.
            synchronized (idle) {
                if (running) idle.wait(Math.max(1, pollWait.toMillis() / 10));
            }
        }
    }

    private ArrayDeque<Permit> acquire(String function, int max) {
        ConcurrencyLimiter limiter = limiters.limiterFor(function, annotationsSeen.getOrDefault(function, Map.of()));
        ArrayDeque<Permit> permits = new ArrayDeque<>();
        while (permits.size() < max) {
            Optional<Permit> p = limiter.tryAcquire();
            if (p.isEmpty()) break;
            permits.add(p.get());
        }
        return permits;
    }

    /** Takes over one delivery, which holds one slot from here on. */
    private void start(Delivery delivery, Permit permit) {
        Invocation invocation = delivery.invocation();
        if (!invocation.annotations().isEmpty()) {
            annotationsSeen.put(invocation.function(), invocation.annotations());
        }
        if (!running) {
            if (permit != null) permit.release(Outcome.IGNORED);
            returnToQueue(delivery, Duration.ZERO, "worker shutting down");
            slots.release();
            return;
        }
        if (permit == null) {
            Optional<Permit> granted = limiters.limiterFor(invocation.function(), invocation.annotations()).tryAcquire();
            if (granted.isEmpty()) {
                returnToQueue(delivery, rejectionDelay, "concurrency limit of " + invocation.function() + " reached");
                slots.release();
                return;
            }
            permit = granted.get();
        }
        Call call = new Call(delivery, permit);
        calls.add(call);
        if (cancellations.isCancelled(invocation.callId())) {
            call.settle();
            finishCancelled(call, false);
            return;
        }
        call.started = true;
        listener.invocationStarted(invocation, delivery.attempt());
        if (log.isDebugEnabled()) { // position() builds a string: not on the per-message path unless asked for
            String position = delivery.position();
            callLog(log.atDebug(), invocation, delivery.attempt()).addKeyValue("position", position)
                    .log("invoking {} (call {}, attempt {}, {})", invocation.function(), invocation.callId(),
                            delivery.attempt(), position);
        }
        CompletionStage<InvocationResult> stage;
        try {
            stage = invoker.invoke(invocation);
        } catch (RuntimeException e) {
            stage = CompletableFuture.completedFuture(InvocationResult.transportFailure(
                    "invoker failed: " + e, Duration.ZERO));
        }
        call.future = stage.toCompletableFuture();
        stage.whenComplete((result, error) -> {
            try {
                onResult(call, result != null ? result : InvocationResult.transportFailure(Failures.describe(error), Duration.ZERO));
            } catch (RuntimeException e) {
                // Never let a bug here strand the delivery: it goes back to the queue and the slot is freed.
                log.error("handling the result of call {} failed", invocation.callId(), e);
                returnToQueue(delivery, rejectionDelay, "internal error");
                finishCall(call, Outcome.IGNORED);
            }
        });
    }

    /**
     * One sweep for all calls instead of a timer per call: the per-message path stays free of
     * scheduling, and a call is told alive at most 1.5 intervals apart.
     */
    private void keepAliveSweep() {
        long now = System.nanoTime();
        long interval = keepAliveInterval.toNanos();
        for (Call call : calls) {
            if (now - call.lastKeepAlive >= interval) {
                call.lastKeepAlive = now;
                keepAlive(call.delivery);
            }
        }
    }

    private void keepAlive(Delivery delivery) {
        try {
            delivery.keepAlive();
        } catch (RuntimeException e) {
            log.debug("keep-alive for {} failed: {}", delivery.position(), e.toString());
        }
    }

    private void onResult(Call call, InvocationResult result) {
        if (!call.settle()) return; // shutdown or a cancellation already settled it
        Delivery delivery = call.delivery;
        Invocation invocation = delivery.invocation();
        if (cancellations.isCancelled(invocation.callId())) {
            // Cancelled while running but the invoker could not be stopped: its result is not retried.
            finishCancelled(call, true);
            return;
        }
        if (rejectionsWaitInQueue && result.status() == 429
                && freeReturns.getOrDefault(invocation.callId(), 0) < maxFreeReturns) {
            call.permit.release(Outcome.REJECTED);
            call.permit = null;
            returnToQueue(delivery, rejectionDelay, invocation.function() + " answered 429");
            finishCall(call, null);
            return;
        }
        RetryPolicy policy = WorkerSettings.retryPolicyFor(retryPolicy, invocation.annotations());
        int retriesSoFar = Math.max(0, delivery.attempt() - 1 - freeReturns.getOrDefault(invocation.callId(), 0));
        RetryDecision decision = policy.decide(result, retriesSoFar, random, clock);
        Outcome outcome = Outcome.of(result);
        call.permit.release(outcome);
        call.permit = null;
        listener.invocationFinished(invocation, result, decision);
        if (decision.retry()) {
            callLog(log.atInfo(), invocation, delivery.attempt()).addKeyValue("status", result.status())
                    .addKeyValue("outcome", "retrying").addKeyValue("retry_in_ms", decision.delay().toMillis())
                    .log("call {} to {}: {}; retrying in {}", invocation.callId(), invocation.function(),
                            decision.reason(), decision.delay());
            settleQuietly(() -> delivery.retryAfter(decision.delay()), delivery);
            finishCall(call, null);
            return;
        }
        freeReturns.remove(invocation.callId());
        callLog(log.atInfo(), invocation, delivery.attempt()).addKeyValue("status", result.status())
                .addKeyValue("outcome", result.isSuccess() ? "succeeded" : "failed")
                .addKeyValue("duration_ms", result.duration().toMillis())
                .log("call {} to {}: {} in {} ms", invocation.callId(), invocation.function(), decision.reason(),
                        result.duration().toMillis());
        Runnable settle = finalSettlement(delivery, policy, result, retriesSoFar);
        Optional<URI> callbackUrl = invocation.callbackUrl();
        if (callbackUrl.isEmpty()) {
            settleQuietly(settle, delivery);
            finishCall(call, null);
            return;
        }
        Callback callback = new Callback(callbackUrl.get(), invocation, result, retriesSoFar, policy.maxAttempts() - 1);
        CompletionStage<Integer> sent;
        try {
            sent = callbacks.send(callback);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        // The delivery is acked only after the callback was tried, so a crash in between redelivers it.
        sent.whenComplete((status, error) -> {
            if (error != null) {
                String why = Failures.describe(error);
                log.warn("callback for call {} to {} failed: {}", invocation.callId(), redact(callbackUrl.get()), why);
                listener.callbackFailed(invocation, why);
            } else if (status >= 300) {
                log.warn("callback for call {} to {} answered {}", invocation.callId(), redact(callbackUrl.get()), status);
                listener.callbackFailed(invocation, "status " + status);
            }
            settleQuietly(settle, delivery);
            finishCall(call, null);
        });
    }

    /**
     * How a final result settles its delivery: acked, or dead-lettered when it failed with a status worth
     * retrying and the retry budget ran out (a status not retried is the function's answer, not a failure
     * of delivery, so it is acked like a success).
     */
    private Runnable finalSettlement(Delivery delivery, RetryPolicy policy, InvocationResult result, int retriesSoFar) {
        if (result.isSuccess() || !policy.isRetryable(result)) return delivery::ack;
        return () -> {
            delivery.deadLetter(Delivery.RETRIES_EXHAUSTED, result.status(), retriesSoFar + 1);
            listener.deadLettered(delivery.invocation(), Delivery.RETRIES_EXHAUSTED, result.status());
        };
    }

    /** Hears cancellations: a running call is abandoned (its future cancelled) and not retried. */
    private void cancelRunning(String callId) {
        for (Call call : calls) {
            if (call.delivery.invocation().callId().equals(callId) && call.settle()) {
                call.abandon();
                finishCancelled(call, true);
            }
        }
    }

    /** Acks a cancelled call without (further) invoking it, after a callback saying it was cancelled. */
    private void finishCancelled(Call call, boolean wasRunning) {
        Delivery delivery = call.delivery;
        Invocation invocation = delivery.invocation();
        listener.cancelled(invocation, wasRunning);
        int retriesSoFar = Math.max(0, delivery.attempt() - 1 - freeReturns.getOrDefault(invocation.callId(), 0));
        freeReturns.remove(invocation.callId());
        callLog(log.atInfo(), invocation, delivery.attempt()).addKeyValue("outcome", "cancelled")
                .log("call {} to {} cancelled {}", invocation.callId(), invocation.function(),
                        wasRunning ? "while running" : "before it ran");
        Optional<URI> callbackUrl = invocation.callbackUrl();
        CompletionStage<Integer> sent = CompletableFuture.completedFuture(0);
        if (callbackUrl.isPresent()) {
            int maxRetries = WorkerSettings.retryPolicyFor(retryPolicy, invocation.annotations()).maxAttempts() - 1;
            try {
                sent = callbacks.send(new Callback(callbackUrl.get(), invocation,
                        InvocationResult.cancelled(Duration.ofNanos(System.nanoTime() - call.createdNanos)),
                        retriesSoFar, maxRetries));
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
        }
        sent.whenComplete((status, error) -> {
            if (error != null || status >= 300) {
                String why = error != null ? Failures.describe(error) : "status " + status;
                log.warn("cancellation callback for call {} failed: {}", invocation.callId(), why);
                listener.callbackFailed(invocation, why);
            }
            settleQuietly(delivery::ack, delivery);
            finishCall(call, Outcome.IGNORED);
        });
    }

    /** The fields every log line about a call carries, for structured (JSON) logs. */
    private static LoggingEventBuilder callLog(LoggingEventBuilder event, Invocation invocation, int attempt) {
        return event.addKeyValue("call_id", invocation.callId()).addKeyValue("function", invocation.function())
                .addKeyValue("attempt", attempt);
    }

    private void returnToQueue(Delivery delivery, Duration delay, String why) {
        freeReturns.merge(delivery.invocation().callId(), 1, Integer::sum);
        listener.deliveryReturned(delivery.invocation(), why);
        log.debug("returning call {} to the queue in {}: {}", delivery.invocation().callId(), delay, why);
        settleQuietly(() -> delivery.retryAfter(delay), delivery);
    }

    private static void settleQuietly(Runnable settle, Delivery delivery) {
        try {
            settle.run();
        } catch (RuntimeException e) {
            // The queue will redeliver after its ack wait; nothing is lost, at worst the call repeats.
            log.warn("settling {} failed: {}", delivery.position(), e.toString());
        }
    }

    private void finishCall(Call call, Outcome outcomeIfHeld) {
        if (call.permit != null) {
            call.permit.release(outcomeIfHeld == null ? Outcome.IGNORED : outcomeIfHeld);
            call.permit = null;
        }
        if (calls.remove(call)) {
            if (call.started) listener.invocationEnded(call.delivery.invocation());
            slots.release();
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** A URL fit for logs: no user info, query or fragment, which may carry tokens. */
    static String redact(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getPath() == null ? "" : url.getPath());
    }

    @Override
    public String toString() {
        return "QueueWorker[" + name + ", inFlight=" + calls.size() + "/" + maxInflight + "]";
    }

    /** One delivery being worked on; settled exactly once, by its result or by shutdown. */
    private static final class Call {
        final Delivery delivery;
        volatile Permit permit;
        volatile long lastKeepAlive = System.nanoTime();
        volatile CompletableFuture<InvocationResult> future;
        /** Whether the function was (to be) invoked, as opposed to dropped as cancelled. */
        volatile boolean started;
        final long createdNanos = System.nanoTime();
        private final AtomicBoolean settled = new AtomicBoolean();

        Call(Delivery delivery, Permit permit) {
            this.delivery = delivery;
            this.permit = permit;
        }

        boolean settle() {
            return settled.compareAndSet(false, true);
        }

        void abandon() {
            CompletableFuture<InvocationResult> f = future;
            if (f != null) f.cancel(true);
        }
    }

    /** Configures a {@link QueueWorker}; the consumer strategy and the invoker are required. */
    public static final class Builder {
        private String name = "faas-request";
        private ConsumerStrategy consumer;
        private Invoker invoker;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private CallbackSender callbacks;
        private Duration callbackTimeout = Duration.ofSeconds(30);
        private LimiterLookup limiters = LimiterLookup.unlimited();
        private boolean rejectionsWaitInQueue;
        private Duration rejectionDelay = Duration.ofMillis(500);
        private int maxFreeReturns = 100;
        private int maxInflight = 50;
        private Duration keepAliveInterval = Duration.ofSeconds(10);
        private Duration pollWait = Duration.ofSeconds(1);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private WorkerListener listener = WorkerListener.NONE;
        private Cancellations cancellations = Cancellations.NONE;

        private Builder() {
        }

        /** A name for logs and thread names, usually the queue's. */
        public Builder name(String name) { this.name = Objects.requireNonNull(name); return this; }

        /** Where deliveries come from (required). */
        public Builder consumer(ConsumerStrategy consumer) { this.consumer = consumer; return this; }

        /** What calls the functions (required). */
        public Builder invoker(Invoker invoker) { this.invoker = invoker; return this; }

        /** When and how soon to retry (default {@link RetryPolicy#defaults()}). */
        public Builder retryPolicy(RetryPolicy retryPolicy) { this.retryPolicy = Objects.requireNonNull(retryPolicy); return this; }

        /**
         * Who posts final results (default: an HTTP sender of the worker's own behind a
         * {@link GuardedCallbackSender} with {@link CallbackPolicy#defaults()}, so no callback reaches a
         * link-local or metadata address). A sender given here is used as it is.
         */
        public Builder callbacks(CallbackSender callbacks) { this.callbacks = callbacks; return this; }

        /** Time allowed for one callback post (default 30s). */
        public Builder callbackTimeout(Duration timeout) { this.callbackTimeout = positive(timeout, "callbackTimeout"); return this; }

        /** Per-function concurrency limiters (default: unlimited). */
        public Builder limiters(LimiterLookup limiters) { this.limiters = Objects.requireNonNull(limiters); return this; }

        /**
         * When true, a 429 from a function sends the message back to the queue after {@code delay}
         * without using up a retry: the limiter, not the retry budget, paces the function.
         */
        public Builder rejectionsWaitInQueue(boolean enabled, Duration delay) {
            this.rejectionsWaitInQueue = enabled;
            this.rejectionDelay = Objects.requireNonNull(delay);
            return this;
        }

        /**
         * How many times one call may go back to the queue without using up a retry (limiter said no,
         * function said 429) before a 429 counts as a retry again, so a call cannot circulate for ever (100).
         */
        public Builder maxFreeReturns(int max) {
            if (max < 0) throw new IllegalArgumentException("maxFreeReturns must not be negative");
            this.maxFreeReturns = max;
            return this;
        }

        /** Most invocations in flight at once ({@code max_inflight}, default 50). */
        public Builder maxInflight(int maxInflight) {
            if (maxInflight < 1) throw new IllegalArgumentException("maxInflight must be at least 1");
            this.maxInflight = maxInflight;
            return this;
        }

        /** How often a running call tells the queue it is still in progress; keep it well under the ack wait. */
        public Builder keepAliveInterval(Duration interval) { this.keepAliveInterval = positive(interval, "keepAliveInterval"); return this; }

        /** How long one pull waits for work when the queue is empty (default 1s). */
        public Builder pollWait(Duration pollWait) { this.pollWait = positive(pollWait, "pollWait"); return this; }

        /** How long {@link #close()} lets calls in flight finish (default 10s). */
        public Builder shutdownGrace(Duration grace) { this.shutdownGrace = Objects.requireNonNull(grace); return this; }

        /** Wall clock for {@code Retry-After} dates. */
        public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }

        /** Source of jitter, uniform in [0,1). */
        public Builder random(DoubleSupplier random) { this.random = Objects.requireNonNull(random); return this; }

        /** Observer of what the worker does. */
        public Builder listener(WorkerListener listener) { this.listener = Objects.requireNonNull(listener); return this; }

        /** Where cancellations come from (default: none); a cancelled call is not invoked, or is abandoned. */
        public Builder cancellations(Cancellations cancellations) {
            this.cancellations = Objects.requireNonNull(cancellations);
            return this;
        }

        public QueueWorker build() { return new QueueWorker(this); }

        private static Duration positive(Duration d, String what) {
            if (d.isZero() || d.isNegative()) throw new IllegalArgumentException(what + " must be positive");
            return d;
        }
    }
}
