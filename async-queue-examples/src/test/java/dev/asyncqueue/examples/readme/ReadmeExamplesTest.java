package dev.asyncqueue.examples.readme;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.NatsConnections;
import dev.asyncqueue.nats.NatsMetrics;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import dev.asyncqueue.worker.QueueWorker;
import dev.asyncqueue.worker.WorkerState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's examples run against a real nats-server; each leaves no thread of the library behind. */
class ReadmeExamplesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static LocalNatsServer nats;
    private final RecordingHttpServer http = RecordingHttpServer.start();

    @BeforeAll
    static void startNats() throws Exception {
        nats = LocalNatsServer.builder().port(LocalNatsServer.freePort()).start();
    }

    @AfterAll
    static void stopNats() {
        if (nats != null) nats.close();
    }

    @AfterEach
    void stopHttp() {
        http.close();
    }

    private URI callback(String name) {
        return http.baseUrl().resolve("/callback/" + name);
    }

    @Test
    void theStaticModeServiceRunsACallToItsCallbackAndItsCloseStopsEveryThreadItStarted() throws Exception {
        http.respond("/function/echo", r -> Response.of(200, "hello back"));
        Set<Thread> before = libraryThreads();

        try (OrdersService orders = new OrdersService(nats.url(), http.baseUrl())) {
            EnqueueReceipt receipt = orders.submit("echo", "hello".getBytes(StandardCharsets.UTF_8), callback("echo"))
                    .get(10, TimeUnit.SECONDS);
            RecordedRequest done = http.await("/callback/echo", 1, WAIT).get(0);

            assertEquals("orders", receipt.queue(), "the invocation took the queue's name");
            assertEquals(Optional.of("200"), done.header("X-Function-Status"));
            assertEquals(WorkerState.RUNNING, orders.health());
            assertTrue(threadNames(libraryThreads()).stream().anyMatch(n -> n.startsWith("async-queue-dispatcher-orders")),
                    "the worker is named after its queue: " + threadNames(libraryThreads()));
        }

        awaitNoNewLibraryThread(before);
    }

    @Test
    void functionModeWithTheAdaptiveLimiterSendsA429BackToTheQueueWithoutARetryAndStopsItsThreads() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        http.respond("/function/paced", r -> calls.incrementAndGet() == 1 ? Response.of(429, "busy") : Response.of(200, "ok"));
        Set<Thread> before = libraryThreads();

        try (Connection connection = NatsConnections.connect(nats.url(), "readme-function-mode");
             HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).build()) {
            JetStreamQueue queue = JetStreamQueue.builder(connection).queue("paced").build();
            try (QueueWorker worker = PacedWorker.start(queue, invoker)) {
                queue.enqueue(queue.invocation("paced").callbackUrl(callback("paced")).build())
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                RecordedRequest done = http.await("/callback/paced", 1, WAIT).get(0);

                assertEquals(Optional.of("200"), done.header("X-Function-Status"));
                assertEquals(Optional.of("0"), done.header("X-Retry"), "the 429 waited in the queue, not in the retries");
                assertEquals(2, calls.get());
            }
        }

        awaitNoNewLibraryThread(before);
    }

    @Test
    void theInProcessInvokerAnswersWithoutAGateway() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try (Connection connection = NatsConnections.connect(nats.url(), "readme-invoker")) {
            JetStreamQueue queue = JetStreamQueue.builder(connection).queue("upper").build();
            try (QueueWorker worker = QueueWorker.builder().consumer(StaticConsumerStrategy.builder(queue).build())
                    .invoker(new UppercaseInvoker(executor)).build()) {
                worker.start();
                queue.enqueue(queue.invocation("upper").body("hello".getBytes(StandardCharsets.UTF_8))
                        .callbackUrl(callback("upper")).build()).toCompletableFuture().get(10, TimeUnit.SECONDS);

                assertEquals("HELLO", new String(http.await("/callback/upper", 1, WAIT).get(0).body(),
                        StandardCharsets.UTF_8));
            }
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void theConstantLimiterProviderLimitsEveryFunctionAndABadSettingStopsTheStart() {
        LimiterRegistry registry = LimiterRegistry.builder().provider(new ConstantLimiterProvider())
                .settings(Settings.of(Map.of("constant_limit", "2"))).build();
        ConcurrencyLimiter limiter = registry.limiterFor("resize", Map.of());

        Permit first = limiter.tryAcquire().orElseThrow();
        limiter.tryAcquire().orElseThrow();
        assertTrue(limiter.tryAcquire().isEmpty(), "a third call waits");
        first.release(Outcome.SUCCESS);
        assertTrue(limiter.tryAcquire().isPresent(), "a released permit is free again");

        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> LimiterRegistry.builder()
                .provider(new ConstantLimiterProvider()).settings(Settings.of(Map.of("constant_limit", "0"))).build());
        assertTrue(refused.getMessage().contains("constant_limit"), refused.getMessage());
    }

    @Test
    void theMetricsBindingMeasuresTheWorkersCallsAndItsQueue() throws Exception {
        http.respond("/function/measured", r -> Response.of(200, "ok"));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        NatsMetrics natsMetrics = new NatsMetrics(meters);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (Connection connection = Observability.connect(nats.url(), natsMetrics);
             HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).build()) {
            JetStreamQueue queue = JetStreamQueue.builder(connection).queue("measured").build();
            try (QueueWorker worker = Observability.meteredWorker(queue, invoker, meters, natsMetrics, scheduler)) {
                worker.start();
                queue.enqueue(queue.invocation("measured").callbackUrl(callback("measured")).build())
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                http.await("/callback/measured", 1, WAIT);

                Eventually.assertWithin(WAIT, "the call was counted",
                        () -> meters.counter("queue.worker.messages.processed", "queue_name", "measured").count() == 1);
                Eventually.assertWithin(WAIT, "the function's limit is a gauge", () -> meters.find(
                        "queue.worker.concurrency.limit").tag("function_name", "measured").gauge() != null);
                assertEquals(0, meters.get("queue.worker.nats.reconnect").counter().count());
            }
        } finally {
            scheduler.shutdownNow();
        }
    }

    /** The library's threads alive now. */
    private static Set<Thread> libraryThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("async-queue-"))
                .collect(Collectors.toCollection(HashSet::new));
    }

    private static Set<String> threadNames(Set<Thread> threads) {
        return threads.stream().map(Thread::getName).collect(Collectors.toSet());
    }

    /** Every library thread started since {@code before} ends, within a deadline (the publish sweeper lingers a second). */
    private static void awaitNoNewLibraryThread(Set<Thread> before) {
        Eventually.assertWithin(WAIT, () -> "library threads still alive: " + threadNames(newSince(before)),
                () -> newSince(before).isEmpty());
    }

    private static Set<Thread> newSince(Set<Thread> before) {
        Set<Thread> now = libraryThreads();
        now.removeAll(before);
        return now;
    }
}
