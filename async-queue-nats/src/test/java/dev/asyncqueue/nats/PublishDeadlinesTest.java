package dev.asyncqueue.nats;

import dev.asyncqueue.testing.Eventually;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublishDeadlinesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aFutureNotConfirmedInTimeFailsWithATimeout() {
        CompletableFuture<String> future = PublishDeadlines.watch(new CompletableFuture<>(), Duration.ofMillis(100));

        ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, failed.getCause());
    }

    @Test
    void theSweepingThreadEndsWhenNothingIsWatchedAndTheNextWatchStartsAnother() throws Exception {
        CompletableFuture<String> confirmed = PublishDeadlines.watch(new CompletableFuture<>(), Duration.ofSeconds(30));
        assertTrue(PublishDeadlines.sweeping(), "a watch starts the sweeper");
        confirmed.complete("stored");

        Eventually.assertWithin(WAIT, "the sweeper ended once nothing was watched",
                () -> !PublishDeadlines.sweeping() && sweeperThreads() == 0);

        CompletableFuture<String> late = PublishDeadlines.watch(new CompletableFuture<>(), Duration.ofMillis(100));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> late.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, failed.getCause(), "a new sweeper watches the next future");
        Eventually.assertWithin(WAIT, "the second sweeper ended too",
                () -> !PublishDeadlines.sweeping() && sweeperThreads() == 0);
    }

    private static long sweeperThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("async-queue-publish-deadlines"))
                .count();
    }
}
