package dev.asyncqueue.metrics;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.ForwardingAsyncQueue;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.PendingMessages;
import dev.asyncqueue.retry.RetryDecision;
import dev.asyncqueue.worker.WorkerListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The api module's Micrometer binding for one queue: what a worker does (a {@link WorkerListener}), what
 * callers submit ({@link #metered(AsyncQueue)}) and the queue's depth per function ({@link #refreshPending(AsyncQueue)},
 * to be called every few seconds so a scrape never costs a broker request). Meter names render in
 * Prometheus as the OpenFaaS queue-worker's: {@code queue_worker_pending_messages},
 * {@code queue_worker_messages_processed_total}, {@code queue_worker_messages_submitted_total},
 * {@code queue_worker_function_invocation_inflight}; ours in addition are
 * {@code queue_worker_invocation_duration_seconds} (histogram), {@code queue_worker_retries_total},
 * {@code queue_worker_callback_failures_total} and {@code queue_worker_cancelled_total}.
 */
public final class QueueMetrics implements WorkerListener {
    private static final Logger log = LoggerFactory.getLogger(QueueMetrics.class);
    /** Tag of every meter: the queue's name. */
    public static final String QUEUE_TAG = "queue_name";
    /** Tag of per-function meters. */
    public static final String FUNCTION_TAG = "function_name";

    private final MeterRegistry registry;
    private final String queue;
    private final Counter processed;
    private final Counter submitted;
    private final Map<String, AtomicLong> inflight = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> pending = new ConcurrentHashMap<>();

    /** Binds the queue's meters to {@code registry}. */
    public QueueMetrics(MeterRegistry registry, String queue) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.processed = Counter.builder("queue.worker.messages.processed")
                .description("Invocations finished for good (succeeded, failed or cancelled)")
                .tag(QUEUE_TAG, queue).register(registry);
        this.submitted = Counter.builder("queue.worker.messages.submitted")
                .description("Invocations stored in the queue by this process")
                .tag(QUEUE_TAG, queue).register(registry);
    }

    /** The queue as it was, counting each invocation it stores. */
    public AsyncQueue metered(AsyncQueue delegate) {
        return new MeteredQueue(delegate);
    }

    /**
     * Reads the queue's depth once and updates the pending gauges; a function whose messages are all
     * done reads 0 rather than disappearing, so autoscalers see it drain.
     */
    public void refreshPending(AsyncQueue source) {
        PendingMessages now;
        try {
            now = source.pending();
        } catch (RuntimeException e) {
            log.debug("cannot read the depth of {}: {}", queue, e.toString());
            return;
        }
        pending.forEach((function, value) -> value.set(now.forFunction(function)));
        now.byFunction().forEach((function, count) -> gauge(pending, "queue.worker.pending.messages",
                "Messages waiting or in flight per function", function).set(count));
    }

    @Override
    public void invocationStarted(Invocation invocation, int attempt) {
        gauge(inflight, "queue.worker.function.invocation.inflight", "Invocations in flight per function",
                invocation.function()).incrementAndGet();
    }

    @Override
    public void invocationEnded(Invocation invocation) {
        gauge(inflight, "queue.worker.function.invocation.inflight", "Invocations in flight per function",
                invocation.function()).decrementAndGet();
    }

    @Override
    public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
        Timer.builder("queue.worker.invocation.duration")
                .description("Time one attempt took, by function and status class")
                .tags(Tags.of(QUEUE_TAG, queue, FUNCTION_TAG, invocation.function(), "status_class", statusClass(result)))
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(result.duration());
        if (decision.retry()) {
            Counter.builder("queue.worker.retries").description("Attempts that are followed by a retry")
                    .tags(QUEUE_TAG, queue, FUNCTION_TAG, invocation.function()).register(registry).increment();
        } else {
            processed.increment();
        }
    }

    @Override
    public void callbackFailed(Invocation invocation, String why) {
        Counter.builder("queue.worker.callback.failures").description("Callbacks that failed or were refused")
                .tags(QUEUE_TAG, queue, FUNCTION_TAG, invocation.function()).register(registry).increment();
    }

    @Override
    public void cancelled(Invocation invocation, boolean wasRunning) {
        processed.increment();
        Counter.builder("queue.worker.cancelled").description("Calls cancelled before or while running")
                .tags(QUEUE_TAG, queue, FUNCTION_TAG, invocation.function(), "stage", wasRunning ? "running" : "queued")
                .register(registry).increment();
    }

    /** {@code 2xx}, {@code 4xx}, {@code 5xx}, or {@code transport} when the function never answered. */
    static String statusClass(InvocationResult result) {
        if (result.isTransportFailure()) return "transport";
        return (result.status() / 100) + "xx";
    }

    private AtomicLong gauge(Map<String, AtomicLong> values, String name, String description, String function) {
        return values.computeIfAbsent(function, f -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).description(description)
                    .tags(QUEUE_TAG, queue, FUNCTION_TAG, f).register(registry);
            return value;
        });
    }

    private static final Duration[] BUCKETS = {
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};

    /** Counts what is stored; everything else passes through. */
    private final class MeteredQueue extends ForwardingAsyncQueue {
        MeteredQueue(AsyncQueue delegate) {
            super(delegate);
        }

        @Override
        public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
            return delegate().enqueue(invocation).thenApply(receipt -> {
                if (!receipt.duplicate()) submitted.increment();
                return receipt;
            });
        }
    }
}
