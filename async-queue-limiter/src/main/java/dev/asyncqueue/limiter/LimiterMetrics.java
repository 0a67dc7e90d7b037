package dev.asyncqueue.limiter;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The limiter module's Micrometer binding: {@code queue_worker_concurrency_limit} by {@code queue_name} and
 * {@code function_name}, the current limit of each function that has a limiter. Call {@link #refresh()}
 * every few seconds: it registers gauges for new functions and removes those of evicted ones; a scrape
 * only reads the registry, and never creates a limiter.
 */
public final class LimiterMetrics {
    private final MeterRegistry registry;
    private final LimiterRegistry limiters;
    private final String queue;
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    /** Binds {@code limiters} (the limiters of {@code queue}'s functions) to {@code registry}. */
    public LimiterMetrics(MeterRegistry registry, LimiterRegistry limiters, String queue) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.limiters = Objects.requireNonNull(limiters, "limiters");
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    /** Follows the functions that have a limiter now. */
    public void refresh() {
        Set<String> functions = limiters.functions();
        gauges.entrySet().removeIf(e -> {
            if (functions.contains(e.getKey())) return false;
            registry.remove(e.getValue());
            return true;
        });
        for (String function : functions) {
            gauges.computeIfAbsent(function, f -> Gauge.builder("queue.worker.concurrency.limit", limiters,
                            r -> r.functions().contains(f) ? r.limiterFor(f, null).limit() : Double.NaN)
                    .description("Current concurrency limit of a function")
                    .tags("queue_name", queue, "function_name", f)
                    .register(registry));
        }
    }
}
