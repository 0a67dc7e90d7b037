package dev.asyncqueue.worker;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.Threads;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.callback.CallbackSender;
import dev.asyncqueue.callback.GuardedCallbackSender;
import dev.asyncqueue.http.HttpCallbackSender;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.tracing.InvocationTracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

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

    private QueueWorker(Builder b) {
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
                b.ticker, b.rejectionDelay, InvocationTracing.guarded(b.tracing));
        this.health = new WorkerHealth(name, listener, b.ticker);
        this.dispatcher = new Dispatcher(name, consumer, b.limiters, inFlight, calls, pollWait, b.rejectionDelay,
                b.ticker, health);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Threads.named("async-queue-timer-" + name));
        this.limiters = b.limiters;
        this.limiterEvictionInterval = b.limiterEvictionInterval;
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

    /** Configures a {@link QueueWorker}; the consumer strategy and the invoker are required. */
    public static final class Builder {
        private String name;
        private ConsumerStrategy consumer;
        private Invoker invoker;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private CallbackSender callbacks;
        private Duration callbackTimeout = Duration.ofSeconds(30);
        private Duration invocationTimeout = Duration.ofMinutes(1);
        private LimiterLookup limiters = LimiterLookup.unlimited();
        private Boolean rejectionsWaitInQueue;
        private Duration rejectionDelay = Duration.ofMillis(500);
        private int maxFreeReturns = 100;
        private FreeReturns freeReturns;
        private int maxInflight = 50;
        private Duration keepAliveInterval;
        private Duration limiterEvictionInterval = Duration.ofSeconds(30);
        private Duration pollWait = Duration.ofSeconds(1);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private WorkerListener listener = WorkerListener.NONE;
        private Cancellations cancellations = Cancellations.NONE;
        private InvocationTracing tracing = InvocationTracing.NONE;

        private Builder() {
        }

        /** A name for logs and thread names (default: the queue the consumer drains). */
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

        /**
         * The longest a function call may take ({@code upstream_timeout}, default 1 minute), whatever the
         * invoker: a call with no answer a second after it is given up (the invoker's future cancelled) and
         * ends as a transport failure, retried as the policy says. The extra second lets an invoker that
         * times out by itself at the same value (the HTTP invoker does) report its own failure first.
         */
        public Builder invocationTimeout(Duration timeout) {
            this.invocationTimeout = positive(timeout, "invocationTimeout");
            return this;
        }

        /**
         * Per-function concurrency limiters (default: unlimited). A lookup that {@link LimiterLookup#limits() limits}
         * also turns {@link #rejectionsWaitInQueue} on, unless it was set, and the worker runs its
         * {@link LimiterLookup#evictIdle()} every {@link #limiterEvictionInterval} on its timer thread.
         */
        public Builder limiters(LimiterLookup limiters) { this.limiters = Objects.requireNonNull(limiters); return this; }

        /**
         * When true, a 429 from a function sends the message back to the queue after {@code delay}
         * without using up a retry: the limiter, not the retry budget, paces the function. Default: on, after
         * 500ms, when the {@link #limiters} limit; off otherwise.
         */
        public Builder rejectionsWaitInQueue(boolean enabled, Duration delay) {
            this.rejectionsWaitInQueue = enabled;
            this.rejectionDelay = notNegative(delay, "rejection delay");
            return this;
        }

        /** How often the limiters forget idle functions ({@link LimiterLookup#evictIdle()}, default 30s). */
        public Builder limiterEvictionInterval(Duration interval) {
            this.limiterEvictionInterval = positive(interval, "limiterEvictionInterval");
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

        /**
         * Where the returns that did not use up a retry are counted (default {@link FreeReturns#inMemory()},
         * one per worker, lost on restart). Give every worker of a queue the same lasting store to keep
         * {@code X-Retry} right across restarts.
         */
        public Builder freeReturns(FreeReturns freeReturns) {
            this.freeReturns = Objects.requireNonNull(freeReturns);
            return this;
        }

        /** Most invocations in flight at once ({@code max_inflight}, default 50). */
        public Builder maxInflight(int maxInflight) {
            if (maxInflight < 1) throw new IllegalArgumentException("maxInflight must be at least 1");
            this.maxInflight = maxInflight;
            return this;
        }

        /**
         * How often a running call tells the queue it is still in progress; shorter than the consumer's ack wait,
         * or {@link #build()} fails (default: a third of the ack wait, at most 10s).
         */
        public Builder keepAliveInterval(Duration interval) { this.keepAliveInterval = positive(interval, "keepAliveInterval"); return this; }

        /** How long one pull waits for work when the queue is empty (default 1s). */
        public Builder pollWait(Duration pollWait) { this.pollWait = positive(pollWait, "pollWait"); return this; }

        /** How long {@link #close()} lets calls in flight finish (default 10s). */
        public Builder shutdownGrace(Duration grace) { this.shutdownGrace = notNegative(grace, "shutdownGrace"); return this; }

        /** Wall clock for {@code Retry-After} dates. */
        public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }

        /**
         * Monotonic clock for keep-alives, call durations and the waits of {@link #close()} (default
         * {@link Ticker#system()}); it must advance as time passes, or {@code close()} waits for ever.
         */
        public Builder ticker(Ticker ticker) { this.ticker = Objects.requireNonNull(ticker); return this; }

        /** Source of jitter, uniform in [0,1). */
        public Builder random(DoubleSupplier random) { this.random = Objects.requireNonNull(random); return this; }

        /** Observer of what the worker does; one that throws is logged and does not change what happens to a call. */
        public Builder listener(WorkerListener listener) { this.listener = Objects.requireNonNull(listener); return this; }

        /** Where cancellations come from (default: none); a cancelled call is not invoked, or is abandoned. */
        public Builder cancellations(Cancellations cancellations) {
            this.cancellations = Objects.requireNonNull(cancellations);
            return this;
        }

        /**
         * Traces each attempt, its function call and its callback (default: {@link InvocationTracing#NONE}); with
         * {@link dev.asyncqueue.tracing.ObservationTracing} the attempt continues the trace the queued message carries.
         */
        public Builder tracing(InvocationTracing tracing) {
            this.tracing = Objects.requireNonNull(tracing);
            return this;
        }

        /**
         * A worker with this configuration, not started yet.
         *
         * @throws IllegalArgumentException when the keep-alive interval is not shorter than the consumer's ack wait
         * @throws NullPointerException when the consumer or the invoker is missing
         */
        public QueueWorker build() { return new QueueWorker(this); }

        private static Duration positive(Duration d, String what) {
            if (d.isZero() || d.isNegative()) throw new IllegalArgumentException(what + " must be positive");
            return d;
        }

        private static Duration notNegative(Duration d, String what) {
            if (d.isNegative()) throw new IllegalArgumentException(what + " must not be negative, got " + d);
            return d;
        }
    }
}
