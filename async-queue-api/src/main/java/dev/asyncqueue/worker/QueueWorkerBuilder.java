package dev.asyncqueue.worker;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.callback.CallbackSender;
import dev.asyncqueue.callback.GuardedCallbackSender;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.tracing.InvocationTracing;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/** Configures a {@link QueueWorker}; the consumer strategy and the invoker are required. */
public final class QueueWorkerBuilder {
    String name;
    ConsumerStrategy consumer;
    Invoker invoker;
    RetryPolicy retryPolicy = RetryPolicy.defaults();
    CallbackSender callbacks;
    Duration callbackTimeout = Duration.ofSeconds(30);
    Duration invocationTimeout = Duration.ofMinutes(1);
    LimiterLookup limiters = LimiterLookup.unlimited();
    Boolean rejectionsWaitInQueue;
    Duration rejectionDelay = Duration.ofMillis(500);
    int maxFreeReturns = 100;
    FreeReturns freeReturns;
    int maxInflight = 50;
    Duration keepAliveInterval;
    Duration limiterEvictionInterval = Duration.ofSeconds(30);
    Duration pollWait = Duration.ofSeconds(1);
    Duration shutdownGrace = Duration.ofSeconds(10);
    Clock clock = Clock.systemUTC();
    Ticker ticker = Ticker.system();
    DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    WorkerListener listener = WorkerListener.NONE;
    Executor settleOn;
    Cancellations cancellations = Cancellations.NONE;
    InvocationTracing tracing = InvocationTracing.NONE;

    QueueWorkerBuilder() {
    }

    /** A name for logs and thread names (default: the queue the consumer drains). */
    public QueueWorkerBuilder name(String name) { this.name = Objects.requireNonNull(name); return this; }

    /** Where deliveries come from (required). */
    public QueueWorkerBuilder consumer(ConsumerStrategy consumer) { this.consumer = consumer; return this; }

    /** What calls the functions (required). */
    public QueueWorkerBuilder invoker(Invoker invoker) { this.invoker = invoker; return this; }

    /** When and how soon to retry (default {@link RetryPolicy#defaults()}). */
    public QueueWorkerBuilder retryPolicy(RetryPolicy retryPolicy) { this.retryPolicy = Objects.requireNonNull(retryPolicy); return this; }

    /**
     * Who posts final results (default: an HTTP sender of the worker's own behind a
     * {@link GuardedCallbackSender} with {@link CallbackPolicy#defaults()}, so no callback reaches a
     * link-local or metadata address). A sender given here is used as it is.
     */
    public QueueWorkerBuilder callbacks(CallbackSender callbacks) { this.callbacks = callbacks; return this; }

    /** Time allowed for one callback post (default 30s). */
    public QueueWorkerBuilder callbackTimeout(Duration timeout) { this.callbackTimeout = positive(timeout, "callbackTimeout"); return this; }

    /**
     * The longest a function call may take ({@code upstream_timeout}, default 1 minute), whatever the
     * invoker: a call with no answer a second after it is given up (the invoker's future cancelled) and
     * ends as a transport failure, retried as the policy says. The extra second lets an invoker that
     * times out by itself at the same value (the HTTP invoker does) report its own failure first.
     */
    public QueueWorkerBuilder invocationTimeout(Duration timeout) {
        this.invocationTimeout = positive(timeout, "invocationTimeout");
        return this;
    }

    /**
     * Per-function concurrency limiters (default: unlimited). A lookup that {@link LimiterLookup#limits() limits}
     * also turns {@link #rejectionsWaitInQueue} on, unless it was set, and the worker runs its
     * {@link LimiterLookup#evictIdle()} every {@link #limiterEvictionInterval} on its timer thread.
     */
    public QueueWorkerBuilder limiters(LimiterLookup limiters) { this.limiters = Objects.requireNonNull(limiters); return this; }

    /**
     * When true, a 429 from a function sends the message back to the queue after {@code delay}
     * without using up a retry: the limiter, not the retry budget, paces the function. Default: on, after
     * 500ms, when the {@link #limiters} limit; off otherwise.
     */
    public QueueWorkerBuilder rejectionsWaitInQueue(boolean enabled, Duration delay) {
        this.rejectionsWaitInQueue = enabled;
        this.rejectionDelay = notNegative(delay, "rejection delay");
        return this;
    }

    /** How often the limiters forget idle functions ({@link LimiterLookup#evictIdle()}, default 30s). */
    public QueueWorkerBuilder limiterEvictionInterval(Duration interval) {
        this.limiterEvictionInterval = positive(interval, "limiterEvictionInterval");
        return this;
    }

    /**
     * How many times one call may go back to the queue without using up a retry (limiter said no,
     * function said 429) before a 429 counts as a retry again, so a call cannot circulate for ever (100).
     */
    public QueueWorkerBuilder maxFreeReturns(int max) {
        if (max < 0) throw new IllegalArgumentException("maxFreeReturns must not be negative");
        this.maxFreeReturns = max;
        return this;
    }

    /**
     * Where the returns that did not use up a retry are counted (default {@link FreeReturns#inMemory()},
     * one per worker, lost on restart). Give every worker of a queue the same lasting store to keep
     * {@code X-Retry} right across restarts.
     */
    public QueueWorkerBuilder freeReturns(FreeReturns freeReturns) {
        this.freeReturns = Objects.requireNonNull(freeReturns);
        return this;
    }

    /** Most invocations in flight at once ({@code max_inflight}, default 50). */
    public QueueWorkerBuilder maxInflight(int maxInflight) {
        if (maxInflight < 1) throw new IllegalArgumentException("maxInflight must be at least 1");
        this.maxInflight = maxInflight;
        return this;
    }

    /**
     * How often a running call tells the queue it is still in progress; shorter than the consumer's ack wait,
     * or {@link #build()} fails (default: a third of the ack wait, at most 10s).
     */
    public QueueWorkerBuilder keepAliveInterval(Duration interval) { this.keepAliveInterval = positive(interval, "keepAliveInterval"); return this; }

    /** How long one pull waits for work when the queue is empty (default 1s). */
    public QueueWorkerBuilder pollWait(Duration pollWait) { this.pollWait = positive(pollWait, "pollWait"); return this; }

    /** How long {@link QueueWorker#close()} lets calls in flight finish (default 10s). */
    public QueueWorkerBuilder shutdownGrace(Duration grace) { this.shutdownGrace = notNegative(grace, "shutdownGrace"); return this; }

    /** Wall clock for {@code Retry-After} dates. */
    public QueueWorkerBuilder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }

    /**
     * Monotonic clock for keep-alives, call durations and the waits of {@link QueueWorker#close()} (default
     * {@link Ticker#system()}); it must advance as time passes, or {@code close()} waits for ever.
     */
    public QueueWorkerBuilder ticker(Ticker ticker) { this.ticker = Objects.requireNonNull(ticker); return this; }

    /** Source of jitter, uniform in [0,1). */
    public QueueWorkerBuilder random(DoubleSupplier random) { this.random = Objects.requireNonNull(random); return this; }

    /** Observer of what the worker does; one that throws is logged and does not change what happens to a call. */
    public QueueWorkerBuilder listener(WorkerListener listener) { this.listener = Objects.requireNonNull(listener); return this; }

    /**
     * Where a call's outcome is handled: retry decision, callback, settling with the queue, the listener's
     * events and the per-call logs. By default that runs on the thread that completes the invoker's future
     * (for the HTTP invoker, its I/O thread), the fastest; a listener or log appender that may block would
     * then hold up every call that thread serves. Given an executor, each outcome is handed to it and a block
     * stalls only its own call. An executor that refuses a task (shut down, full) has it run where it came.
     */
    public QueueWorkerBuilder settleOn(Executor executor) {
        this.settleOn = Objects.requireNonNull(executor);
        return this;
    }

    /** Where cancellations come from (default: none); a cancelled call is not invoked, or is abandoned. */
    public QueueWorkerBuilder cancellations(Cancellations cancellations) {
        this.cancellations = Objects.requireNonNull(cancellations);
        return this;
    }

    /**
     * Traces each attempt, its function call and its callback (default: {@link InvocationTracing#NONE}); with
     * {@link dev.asyncqueue.tracing.ObservationTracing} the attempt continues the trace the queued message carries.
     */
    public QueueWorkerBuilder tracing(InvocationTracing tracing) {
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
