package dev.asyncqueue.examples.readme;

// tag::metrics[]
import dev.asyncqueue.Invoker;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.limiter.LimiterMetrics;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.metrics.QueueMetrics;
import dev.asyncqueue.nats.FunctionConsumerStrategy;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.NatsConnections;
import dev.asyncqueue.nats.NatsMetrics;
import dev.asyncqueue.worker.QueueWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
// end::metrics[]
// tag::tracing[]
import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.tracing.InvocationTracing;
import dev.asyncqueue.tracing.ObservationTracing;
import io.micrometer.observation.ObservationRegistry;
// end::tracing[]

/** The README's metrics and tracing bindings. */
final class Observability {
    private Observability() {
    }

    // tag::metrics[]
    /** A connection whose reconnects are counted ({@code queue_worker_nats_reconnect_total}). */
    static Connection connect(String natsUrl, NatsMetrics natsMetrics) throws IOException {
        return NatsConnections.connect(NatsConnections.options(Settings.of(Map.of("nats_url", natsUrl)),
                "orders-service", natsMetrics::connectionEvent).build());
    }

    /** A function-mode worker whose work, queue and limits are measured in {@code meters}. */
    static QueueWorker meteredWorker(JetStreamQueue queue, Invoker invoker, MeterRegistry meters,
                                     NatsMetrics natsMetrics, ScheduledExecutorService scheduler) {
        natsMetrics.bind(queue);                                           // dead letters, by reason
        // The queue_worker_* meters; enqueue through queueMetrics.metered(queue) to count submissions too.
        QueueMetrics queueMetrics = new QueueMetrics(meters, queue.name());
        LimiterRegistry limiters = LimiterRegistry.fromSettings(Settings.empty(), Ticker.system());
        LimiterMetrics limiterMetrics = new LimiterMetrics(meters, limiters, queue.name());
        scheduler.scheduleWithFixedDelay(() -> {                           // gauges follow on your schedule
            queueMetrics.refreshPending(queue);
            limiterMetrics.refresh();
        }, 0, 5, TimeUnit.SECONDS);
        return QueueWorker.builder()
                .consumer(FunctionConsumerStrategy.builder(queue).build())
                .limiters(limiters)
                .invoker(invoker)
                .listener(queueMetrics)                                    // what the worker does
                .build();
    }
    // end::metrics[]

    // tag::tracing[]
    /**
     * Enqueues through the returned queue carry the caller's trace context (traceparent) into the message;
     * {@code registry} holds your tracer's handlers (Micrometer Tracing with Brave or OpenTelemetry).
     */
    static AsyncQueue tracedQueue(JetStreamQueue queue, ObservationRegistry registry) {
        return InvocationTracing.traced(queue, new ObservationTracing(registry));
    }

    /** Each attempt continues that trace; the function and the callback get traceparents that are its children. */
    static QueueWorker tracedWorker(JetStreamQueue queue, Invoker invoker, ObservationRegistry registry) {
        return QueueWorker.builder()
                .consumer(FunctionConsumerStrategy.builder(queue).build())
                .invoker(invoker)
                .tracing(new ObservationTracing(registry))
                .build();
    }
    // end::tracing[]
}
