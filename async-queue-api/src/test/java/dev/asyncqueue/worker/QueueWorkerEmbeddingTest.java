package dev.asyncqueue.worker;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.WorkSource;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.CapturedLog;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryDelivery;
import dev.asyncqueue.testing.InMemoryDelivery.Kind;
import dev.asyncqueue.testing.InMemoryQueue;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an embedder gets without asking: defaults taken from the consumer and the limiters, checks at build, health. */
class QueueWorkerEmbeddingTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final RecordingHttpServer server = RecordingHttpServer.start();
    private final HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(server.baseUrl()).build();
    private final InMemoryQueue queue = InMemoryQueue.create();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) c.close();
        invoker.close();
        server.close();
    }

    private QueueWorkerBuilder worker(ConsumerStrategy consumer) {
        return QueueWorker.builder().consumer(consumer).invoker(invoker).pollWait(Duration.ofMillis(50))
                .retryPolicy(new RetryPolicy(3, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(50),
                        Duration.ofMillis(200), Backoff.EXPONENTIAL))
                .shutdownGrace(Duration.ofSeconds(5));
    }

    private QueueWorker start(QueueWorkerBuilder builder) {
        QueueWorker worker = builder.build();
        toClose.add(0, worker);
        worker.start();
        return worker;
    }

    private static List<Kind> kinds(List<InMemoryDelivery> deliveries) {
        return deliveries.stream().map(d -> d.settlement().orElseThrow().kind()).toList();
    }

    @Test
    void limitersThatLimitSendA429BackToTheQueueWithoutUsingARetryUnlessToldOtherwise() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server.respond("/function/busy", r -> calls.incrementAndGet() == 1 ? Response.of(429, "busy") : Response.of(200, "ok"));
        queue.enqueue(Invocation.builder("busy").build());
        ConcurrencyLimiter limiter = ConcurrencyLimiter.unlimited();
        QueueWorker worker = start(worker(queue).limiters((function, annotations) -> limiter));

        queue.awaitAcked(1, WAIT);
        Eventually.assertWithin(WAIT, "idle", () -> worker.inFlight() == 0);

        List<InMemoryDelivery> deliveries = queue.deliveries();
        assertEquals(List.of(Kind.RETRY, Kind.ACK), kinds(deliveries));
        assertEquals(Duration.ofMillis(500), deliveries.get(0).retryDelay().orElseThrow(),
                "the rejection delay, not the retry policy's 50ms");
    }

    @Test
    void rejectionsWaitingInTheQueueSetExplicitlyWinOverTheLimitersDefault() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server.respond("/function/busy", r -> calls.incrementAndGet() == 1 ? Response.of(429, "busy") : Response.of(200, "ok"));
        queue.enqueue(Invocation.builder("busy").build());
        ConcurrencyLimiter limiter = ConcurrencyLimiter.unlimited();
        QueueWorker worker = start(worker(queue).rejectionsWaitInQueue(false, Duration.ofMillis(500))
                .limiters((function, annotations) -> limiter));

        queue.awaitAcked(1, WAIT);
        Eventually.assertWithin(WAIT, "idle", () -> worker.inFlight() == 0);

        assertEquals(Duration.ofMillis(50), queue.deliveries().get(0).retryDelay().orElseThrow(),
                "a retry after the policy's first wait");
    }

    @Test
    void theWorkerEvictsIdleLimitersOnItsOwnTimerThread() {
        List<String> threads = new CopyOnWriteArrayList<>();
        ConcurrencyLimiter shared = ConcurrencyLimiter.unlimited();
        LimiterLookup limiters = new LimiterLookup() {
            @Override
            public ConcurrencyLimiter limiterFor(String function, Map<String, String> annotations) {
                return shared;
            }

            @Override
            public List<String> evictIdle() {
                threads.add(Thread.currentThread().getName());
                return List.of();
            }
        };
        start(worker(queue).name("evicting").limiters(limiters).limiterEvictionInterval(Duration.ofMillis(20)));

        Eventually.assertWithin(WAIT, "evictIdle ran twice", () -> threads.size() >= 2);
        assertTrue(threads.stream().allMatch(name -> name.startsWith("async-queue-timer-evicting")), threads.toString());
    }

    @Test
    void theWorkerIsNamedAfterTheQueueItsConsumerDrains() {
        QueueWorker worker = start(worker(new Named(queue, "orders", Duration.ofSeconds(30))));

        assertTrue(worker.toString().contains("orders"), worker.toString());
        Eventually.assertWithin(WAIT, "a dispatcher named after the queue", () -> Thread.getAllStackTraces().keySet()
                .stream().anyMatch(t -> t.getName().startsWith("async-queue-dispatcher-orders")));
    }

    @Test
    void aKeepAliveIntervalNotShorterThanTheAckWaitIsRefusedAtBuild() {
        Named consumer = new Named(queue, "orders", Duration.ofSeconds(5));

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> worker(consumer).keepAliveInterval(Duration.ofSeconds(5)).build());
        assertTrue(refused.getMessage().contains("ack wait"), refused.getMessage());
        worker(consumer).keepAliveInterval(Duration.ofSeconds(4)).build().close();
        worker(consumer).build().close(); // the default follows the ack wait
    }

    @Test
    void negativeDurationsAreRefusedWhereTheyAreSet() {
        QueueWorkerBuilder builder = worker(queue);

        assertThrows(IllegalArgumentException.class, () -> builder.shutdownGrace(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> builder.rejectionsWaitInQueue(true, Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> builder.keepAliveInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder.limiterEvictionInterval(Duration.ofSeconds(-30)));
    }

    @Test
    void failingPullsMakeTheWorkerDegradedAndItRecoversWithOneWarningNotOnePerPull() throws Exception {
        Flaky consumer = new Flaky(queue);
        List<WorkerState> heard = new CopyOnWriteArrayList<>();
        WorkerListener listener = new WorkerListener() {
            @Override
            public void stateChanged(WorkerState state, String why) {
                heard.add(state);
            }
        };
        try (CapturedLog log = CapturedLog.start()) {
            QueueWorker worker = start(worker(consumer).name("flaky").listener(listener));
            assertEquals(WorkerState.RUNNING, worker.state());

            consumer.failing.set(true);
            Eventually.assertWithin(WAIT, "degraded", () -> worker.state() == WorkerState.DEGRADED);
            Eventually.assertWithin(WAIT, "ten more failed pulls", () -> consumer.failures.get() >= 10);
            consumer.failing.set(false);
            Eventually.assertWithin(WAIT, "running again", () -> worker.state() == WorkerState.RUNNING);

            assertEquals(1, count(log.text(), "pulling from queue flaky failed"), log.text());
        }
        assertEquals(List.of(WorkerState.RUNNING, WorkerState.DEGRADED, WorkerState.RUNNING), heard);
    }

    @Test
    void aTransportClosedForGoodEndsPullingOnceAndTheStateAndListenerSaySo() throws Exception {
        Flaky consumer = new Flaky(queue);
        List<WorkerState> heard = new CopyOnWriteArrayList<>();
        WorkerListener listener = new WorkerListener() {
            @Override
            public void stateChanged(WorkerState state, String why) {
                heard.add(state);
            }
        };
        try (CapturedLog log = CapturedLog.start()) {
            QueueWorker worker = start(worker(consumer).name("gone").listener(listener));
            consumer.closedForGood.set(true);
            consumer.failing.set(true);

            Eventually.assertWithin(WAIT, "transport closed", () -> worker.state() == WorkerState.TRANSPORT_CLOSED);
            Eventually.assertWithin(WAIT, "the dispatcher ended", () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith("async-queue-dispatcher-gone")));
            assertEquals(1, count(log.text(), "stops pulling"), log.text());
            assertFalse(log.text().contains("pulling from queue gone failed"), log.text());

            worker.close();
            assertEquals(WorkerState.STOPPED, worker.state());
        }
        assertEquals(List.of(WorkerState.RUNNING, WorkerState.TRANSPORT_CLOSED, WorkerState.STOPPED), heard);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    /** The in-memory queue under a queue name and an ack wait, as the NATS strategies report theirs. */
    private record Named(InMemoryQueue inMemory, String name, Duration ackWaitOfQueue) implements ConsumerStrategy {
        @Override
        public void start() {
            inMemory.start();
        }

        @Override
        public List<WorkSource> sources() {
            return inMemory.sources();
        }

        @Override
        public void close() {
            inMemory.close();
        }

        @Override
        public Optional<String> queue() {
            return Optional.of(name);
        }

        @Override
        public Optional<Duration> ackWait() {
            return Optional.of(ackWaitOfQueue);
        }
    }

    /** A consumer whose pulls fail while told to, and whose transport can close for good. */
    private static final class Flaky implements ConsumerStrategy {
        private final InMemoryQueue queue;
        final AtomicBoolean failing = new AtomicBoolean();
        final AtomicBoolean closedForGood = new AtomicBoolean();
        final AtomicInteger failures = new AtomicInteger();

        Flaky(InMemoryQueue queue) {
            this.queue = queue;
        }

        @Override
        public void start() {
            queue.start();
        }

        @Override
        public List<WorkSource> sources() {
            WorkSource shared = queue.sources().get(0);
            return List.of(new WorkSource() {
                @Override
                public Optional<String> function() {
                    return Optional.empty();
                }

                @Override
                public int fetch(int max, Duration maxWait, Consumer<Delivery> sink) throws InterruptedException {
                    if (failing.get()) {
                        failures.incrementAndGet();
                        throw new IllegalStateException("connection lost");
                    }
                    return shared.fetch(max, maxWait, sink);
                }
            });
        }

        @Override
        public boolean isClosed() {
            return closedForGood.get();
        }

        @Override
        public void close() {
            queue.close();
        }
    }
}
