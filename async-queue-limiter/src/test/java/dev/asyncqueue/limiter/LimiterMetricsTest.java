package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The concurrency-limit gauge: one per paced function, following its limit, gone once the limiter is evicted. */
class LimiterMetricsTest {
    private final FakeTicker ticker = new FakeTicker();
    private final LimiterRegistry limiters = LimiterRegistry.builder().provider(new FixedLimiterProvider())
            .ticker(ticker).idleTimeout(Duration.ofMinutes(5)).build();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LimiterMetrics metrics = new LimiterMetrics(registry, limiters, "jobs");

    private Gauge gauge(String function) {
        return registry.find("queue.worker.concurrency.limit").tags("queue_name", "jobs", "function_name", function).gauge();
    }

    @Test
    void eachPacedFunctionGetsAGaugeOfItsCurrentLimitWithQueueAndFunctionTags() {
        limiters.tryAcquire("resize", Map.of(LimiterRegistry.MAX_INFLIGHT_ANNOTATION, "7")).orElseThrow()
                .release(Outcome.SUCCESS);

        metrics.refresh();

        assertEquals(7.0, gauge("resize").value());
        assertNull(gauge("other"), "no gauge for a function without a limiter");
    }

    @Test
    void theGaugeOfAnEvictedFunctionIsRemovedOnTheNextRefresh() {
        limiters.tryAcquire("resize", Map.of(LimiterRegistry.MAX_INFLIGHT_ANNOTATION, "3")).orElseThrow()
                .release(Outcome.SUCCESS);
        metrics.refresh();
        ticker.advance(Duration.ofMinutes(6));
        limiters.evictIdle();

        metrics.refresh();

        assertNull(gauge("resize"));
        assertEquals(Set.of(), limiters.functions(), "reading the gauges made no new limiter");
    }
}
