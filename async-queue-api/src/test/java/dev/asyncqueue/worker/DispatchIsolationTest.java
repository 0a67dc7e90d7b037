package dev.asyncqueue.worker;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.WorkSource;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryQueue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One function's broken source costs only that function a wait: the others are served on. */
class DispatchIsolationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Far longer than the test may take: a worker that paused for it would fail the test. */
    private static final Duration POLL_WAIT = Duration.ofSeconds(60);

    @Test
    void aFunctionWhoseSourceFailsWaitsAloneWhileTheOthersAreServed() throws Exception {
        InMemoryQueue good = InMemoryQueue.create();
        for (int i = 0; i < 5; i++) good.enqueue(Invocation.builder("good").build());
        TwoFunctions strategy = new TwoFunctions(good);
        QueueWorker worker = QueueWorker.builder().name("isolation").consumer(strategy)
                .invoker(invocation -> CompletableFuture.completedFuture(
                        InvocationResult.answered(200, Map.of(), new byte[0], Duration.ofMillis(1))))
                .pollWait(POLL_WAIT).maxInflight(2).build();
        try {
            worker.start();
            good.awaitAcked(5, WAIT);
            Eventually.assertWithin(WAIT, "worker idle", () -> worker.inFlight() == 0);
        } finally {
            worker.close();
        }
        assertEquals(1, strategy.brokenFetches.get(), "the broken source sat out its wait after failing once");
        good.assertNoMisuse();
    }

    /** A function whose consumer has vanished, always served first, and a function with work. */
    private static final class TwoFunctions implements ConsumerStrategy {
        final AtomicInteger brokenFetches = new AtomicInteger();
        private final InMemoryQueue good;
        private final WorkSource broken = new WorkSource() {
            @Override
            public Optional<String> function() {
                return Optional.of("broken");
            }

            @Override
            public int fetch(int max, Duration maxWait, Consumer<Delivery> sink) {
                brokenFetches.incrementAndGet();
                throw new IllegalStateException("consumer not found");
            }
        };

        TwoFunctions(InMemoryQueue good) {
            this.good = good;
        }

        @Override
        public void start() {
            good.start();
        }

        @Override
        public List<WorkSource> sources() {
            WorkSource shared = good.sources().get(0);
            return List.of(broken, new WorkSource() {
                @Override
                public Optional<String> function() {
                    return Optional.of("good");
                }

                @Override
                public int fetch(int max, Duration maxWait, Consumer<Delivery> sink) throws InterruptedException {
                    return shared.fetch(max, maxWait, sink);
                }
            });
        }

        @Override
        public void close() {
            good.close();
        }
    }
}
