package dev.asyncqueue.http;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.testing.Eventually;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connections under load: reused, never leaked, and one bad function cannot hold up the others. */
class HttpInvokerConnectionsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CONCURRENCY = 16;

    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void tenThousandCallsReuseABoundedNumberOfConnections(HttpEngine engine) throws Exception {
        int calls = 10_000;
        byte[] body = "x".repeat(512).getBytes(StandardCharsets.UTF_8);
        try (RawHttpServer server = new RawHttpServer();
             HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(server.baseUrl()).engine(engine)
                     .maxConcurrency(CONCURRENCY).timeout(Duration.ofSeconds(10)).build()) {
            Semaphore inFlight = new Semaphore(CONCURRENCY);
            AtomicInteger answered = new AtomicInteger();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                assertTrue(inFlight.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS), "calls keep completing");
                invoker.invoke(Invocation.builder("fast").method("POST").body(body).build()).whenComplete((r, e) -> {
                    if (e == null && r.status() == 200) answered.incrementAndGet();
                    else synchronized (failures) { failures.add(e != null ? e.toString() : r.toString()); }
                    inFlight.release();
                });
            }
            assertTrue(inFlight.tryAcquire(CONCURRENCY, WAIT.toSeconds(), TimeUnit.SECONDS), "every call completes");

            assertEquals(List.of(), failures);
            assertEquals(calls, answered.get());
            assertTrue(server.accepted() <= CONCURRENCY,
                    "at most one connection per call at once, reused: accepted " + server.accepted());
            assertTrue(server.open() <= CONCURRENCY, "open now: " + server.open());
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpEngine.class, names = {"APACHE_ASYNC", "APACHE_CLASSIC"})
    void callsAndTheirCallbacksKeepTheirConnectionsToEachServer(HttpEngine engine) throws Exception {
        int calls = 4_000;
        try (RawHttpServer gateway = new RawHttpServer();
             RawHttpServer receiver = new RawHttpServer();
             HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(gateway.baseUrl()).engine(engine)
                     .maxConcurrency(CONCURRENCY).timeout(Duration.ofSeconds(10)).build()) {
            HttpCallbackSender callbacks = invoker.callbackSender(Duration.ofSeconds(10));
            URI callbackUrl = receiver.baseUrl().resolve("/callback");
            Semaphore inFlight = new Semaphore(CONCURRENCY);
            AtomicInteger calledBack = new AtomicInteger();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                assertTrue(inFlight.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS), "calls keep completing");
                Invocation invocation = Invocation.builder("fast").method("POST").callbackUrl(callbackUrl).build();
                invoker.invoke(invocation)
                        .thenCompose(r -> callbacks.send(new Callback(callbackUrl, invocation, r, 0, 0)))
                        .whenComplete((status, e) -> {
                            if (e == null && status == 200) calledBack.incrementAndGet();
                            else synchronized (failures) { failures.add(e != null ? e.toString() : "status " + status); }
                            inFlight.release();
                        });
            }
            assertTrue(inFlight.tryAcquire(CONCURRENCY, WAIT.toSeconds(), TimeUnit.SECONDS), "every call completes");

            assertEquals(List.of(), failures);
            assertEquals(calls, calledBack.get());
            // Sharing one limit, each server's connections would be closed to make room for the other's.
            assertTrue(gateway.accepted() <= CONCURRENCY, "gateway connections reused: accepted " + gateway.accepted());
            assertTrue(receiver.accepted() <= CONCURRENCY, "receiver connections reused: accepted " + receiver.accepted());
        }
    }

    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void aFunctionThatHangsOrResetsDoesNotHoldUpTheOthers(HttpEngine engine) throws Exception {
        try (RawHttpServer server = new RawHttpServer();
             HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(server.baseUrl()).engine(engine)
                     .maxConcurrency(8).timeout(Duration.ofSeconds(60)).build()) {
            List<CompletableFuture<InvocationResult>> slow = new ArrayList<>();
            List<CompletableFuture<InvocationResult>> reset = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                slow.add(invoker.invoke(Invocation.builder("slow").build()).toCompletableFuture());
                reset.add(invoker.invoke(Invocation.builder("reset").build()).toCompletableFuture());
            }
            Eventually.assertWithin(WAIT, () -> "held: " + server.hanging(), () -> server.hanging() == 3);

            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                InvocationResult fast = invoker.invoke(Invocation.builder("fast").build()).toCompletableFuture()
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(200, fast.status(), fast::toString);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "the other calls went on: " + took);
            for (CompletableFuture<InvocationResult> r : reset) {
                assertTrue(r.get(WAIT.toSeconds(), TimeUnit.SECONDS).isTransportFailure(), "a reset is a transport failure");
            }
            assertTrue(slow.stream().noneMatch(CompletableFuture::isDone), "the hanging calls still wait");
            server.release();
            for (CompletableFuture<InvocationResult> r : slow) {
                assertEquals(200, r.get(WAIT.toSeconds(), TimeUnit.SECONDS).status());
            }
            assertFalse(server.hanging() > 0);
        }
    }
}
