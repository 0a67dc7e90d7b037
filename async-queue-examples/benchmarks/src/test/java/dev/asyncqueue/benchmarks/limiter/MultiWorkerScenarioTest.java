package dev.asyncqueue.benchmarks.limiter;

import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import io.nats.client.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A smoke-size {@code --workers=2} run with a kill and an add: two worker processes, one killed with SIGKILL and a
 * third started while they drain, every call accounted for. It checks behaviour, not speed.
 */
class MultiWorkerScenarioTest {
    private static final int CALLS = 150;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoWorkerProcessesWithAKillAndAnAddDoEveryCallAndReportEachWorkersLimit() throws Exception {
        FarmSettings farm = new FarmSettings(5, 1, 4, Duration.ofMillis(50), Duration.ofMillis(500), 0.8,
                Duration.ofSeconds(5));
        MultiWorkerScenario.Setup setup = new MultiWorkerScenario.Setup(2, CALLS, 20, farm, 1, 0.4, 0.8,
                Duration.ofSeconds(60));
        WorkersResult run;
        try (LocalNatsServer nats = LocalNatsServer.start(); Connection connection = Bench.connect(nats.url())) {
            run = MultiWorkerScenario.run(connection, nats.url(), setup, "smoke-workers");
        }

        assertTrue(run.drained(), "every call id done: " + run);
        assertEquals(0, run.lost(), "lost call ids");
        assertTrue(run.settled(), "every message acknowledged in the end");
        assertEquals("worker-1", run.killed().orElseThrow());
        assertEquals("worker-3", run.added().orElseThrow());
        // Each call id was done at least once; the function received at least one call per id, and every call
        // beyond that was a 429 or a duplicate.
        assertEquals(CALLS + run.rejected() + run.duplicates(), run.received(), "calls accounted for");
        assertTrue(run.samples().stream().anyMatch(s -> s.limits().containsKey("worker-2")), "worker-2's limit sampled");
        assertTrue(run.samples().stream().anyMatch(s -> s.limits().containsKey("worker-3")),
                "the added worker's limit sampled");
        assertTrue(run.samples().stream().filter(s -> s.seconds() > run.killAt() + 0.5)
                .noneMatch(s -> s.limits().containsKey("worker-1")), "no limit read from the killed worker");
        assertTrue(run.oracle().drainTime().compareTo(Duration.ZERO) > 0 && run.oracle().sent() >= CALLS, "oracle ran");
    }
}
