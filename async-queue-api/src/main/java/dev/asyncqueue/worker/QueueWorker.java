package dev.asyncqueue.worker;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.callback.CallbackSender;
import dev.asyncqueue.callback.GuardedCallbackSender;
import dev.asyncqueue.http.HttpCallbackSender;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.tracing.InvocationTracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The transport-neutral queue-worker: pulls deliveries as capacity allows, calls the function while
 * keeping the delivery alive, retries with back-off, posts the final callback and settles the delivery.
 *
 * <p>Threads: one dispatcher thread pulls ({@link Dispatcher}); calls run on the {@link Invoker}'s
 * asynchronous machinery ({@link CallRunner}); one scheduler thread sends keep-alives ({@link InFlight}) and
 * gives up on calls past their deadline.
 * No thread waits on a function call.
 */
public final class QueueWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueWorker.class);
    /**
     * The logger of lines about single calls: a success at DEBUG; a retry, a final failure and a cancellation at
     * INFO; a failed callback at WARN. The worker's own logger ({@code dev.asyncqueue.worker.QueueWorker}) keeps
     * to its life and its failures.
     */
    public static final String CALL_LOGGER = "dev.asyncqueue.calls";

    private final String name;
    private final ConsumerStrategy consumer;
    private final RetryPolicy retryPolicy;
    private final Cancellations cancellations;
    private final AutoCloseable ownedCallbacks;
    private final int maxInflight;
    private final Duration keepAliveInterval;
    private final Duration pollWait;
    private final Duration shutdownGrace;
    private final Duration callbackTimeout;
    private final Duration invocationTimeout;
    private final InFlight inFlight;
    private final CallRunner calls;
    private final Dispatcher dispatcher;
    private final ScheduledExecutorService scheduler;
    private final WorkerHealth health;
    private final LimiterLookup limiters;
    private final Duration limiterEvictionInterval;
    private boolean started;
    private boolean closed;

    QueueWorker(QueueWorkerBuilder b) {
        this.name = WorkerDefaults.name(b.name, b.consumer);
        this.consumer = Objects.requireNonNull(b.consumer, "consumer");
        Invoker invoker = Objects.requireNonNull(b.invoker, "invoker");
        this.retryPolicy = b.retryPolicy;
        this.cancellations = b.cancellations;
        CallbackSender callbacks = b.callbacks;
        if (callbacks == null) {
            HttpCallbackSender sender = new HttpCallbackSender(b.callbackTimeout);
            callbacks = new GuardedCallbackSender(sender, CallbackPolicy.defaults(), Optional.empty());
            this.ownedCallbacks = sender;
        } else {
            this.ownedCallbacks = null;
        }
        this.maxInflight = b.maxInflight;
        this.keepAliveInterval = WorkerDefaults.keepAliveInterval(b.keepAliveInterval, b.consumer);
        this.pollWait = b.pollWait;
        this.shutdownGrace = b.shutdownGrace;
        this.callbackTimeout = b.callbackTimeout;
        this.invocationTimeout = b.invocationTimeout;
        FreeReturns freeReturns = b.freeReturns != null ? b.freeReturns : FreeReturns.inMemory();
        boolean rejectionsWait = WorkerDefaults.rejectionsWaitInQueue(b.rejectionsWaitInQueue, b.limiters);
        SettlementRules rules = new SettlementRules(b.retryPolicy, rejectionsWait, b.rejectionDelay,
                b.maxFreeReturns, freeReturns, b.random, b.clock);
        WorkerListener listener = GuardedListener.of(b.listener);
        this.inFlight = new InFlight(maxInflight, b.ticker);
        this.calls = new CallRunner(invoker, callbacks, rules, freeReturns, listener, cancellations, inFlight,
                b.ticker, b.rejectionDelay, InvocationTracing.guarded(b.tracing), b.settleOn);
        this.health = new WorkerHealth(name, listener, b.ticker);
        this.dispatcher = new Dispatcher(name, consumer, b.limiters, inFlight, calls, pollWait, b.rejectionDelay,
                b.ticker, health);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Threads.named("async-queue-timer-" + name));
        this.limiters = b.limiters;
        this.limiterEvictionInterval = b.limiterEvictionInterval;
    }

    /** The one front door: configure, then {@link QueueWorkerBuilder#build()} and {@link #start()}. */
    public static QueueWorkerBuilder builder() {
        return new QueueWorkerBuilder();
    }

    /**
     * Starts pulling; returns at once.
     *
     * @throws IllegalStateException when the worker was closed: its threads are gone, build a new one
     */
    public synchronized void start() {
        if (closed) throw new IllegalStateException("queue-worker " + name + " is closed; build a new one");
        if (started) return;
        consumer.start();
        cancellations.onCancel(calls::cancelRunning);
        started = true;
        health.started();
        scheduleLimiterEviction();
        long sweep = Math.max(1, keepAliveInterval.toMillis() / 2);
        every(sweep, "keep-alive", () -> inFlight.keepAlive(keepAliveInterval));
        every(deadlineCheckMillis(invocationTimeout), "deadline", () -> calls.expireOverdue(invocationTimeout));
        dispatcher.start();
        log.info("queue-worker {} started: max_inflight={}, invocation_timeout={}, retries={}", name, maxInflight,
                invocationTimeout, retryPolicy);
    }

    /** Runs {@code task} every {@code millis} on the scheduler; a failure is logged and the task goes on. */
    private void every(long millis, String what, Runnable task) {
        scheduler.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) { // a scheduled task that throws is never run again
                log.warn("{} sweep of {} failed: {}", what, name, e.toString());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** How often calls are checked against their deadline: a tenth of the timeout, between 10 ms and 1 s. */
    static long deadlineCheckMillis(Duration invocationTimeout) {
        return Math.max(10, Math.min(1000, invocationTimeout.toMillis() / 10));
    }

    /** Runs the limiters' {@link LimiterLookup#evictIdle()} on the timer thread, so they need no thread of their own. */
    private void scheduleLimiterEviction() {
        every(limiterEvictionInterval.toMillis(), "limiter eviction", limiters::evictIdle);
    }

    /**
     * Where the worker is now: {@link WorkerState#RUNNING}, {@link WorkerState#DEGRADED} while pulls fail,
     * {@link WorkerState#TRANSPORT_CLOSED} once the connection is gone for good, {@link WorkerState#STOPPED}
     * after {@link #close()}. A health check can report it; a {@link WorkerListener} hears each change.
     */
    public WorkerState state() {
        return health.state();
    }

    /** Invocations being worked on now (calls and their callbacks). */
    public int inFlight() {
        return inFlight.size();
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
        boolean wasStarted;
        synchronized (this) {
            if (closed) return;
            closed = true;
            wasStarted = started;
        }
        if (!wasStarted) {
            // Never started: nothing was pulled, but the scheduler and an owned callback sender still need stopping.
            releaseResources();
            health.stopped();
            return;
        }
        dispatcher.stop(pollWait.plusSeconds(2));
        inFlight.awaitEmpty(shutdownGrace);
        calls.abandonAll();
        // What is left has a final result and its callback on the way; cutting that short would
        // leave the message unacked, and the call would run again elsewhere.
        inFlight.awaitEmpty(callbackTimeout);
        consumer.close();
        releaseResources();
        health.stopped();
        log.info("queue-worker {} stopped", name);
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

    @Override
    public String toString() {
        return "QueueWorker[" + name + ", inFlight=" + inFlight.size() + "/" + maxInflight + "]";
    }
}
