package dev.asyncqueue.worker;

import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.Permit;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryDelivery;
import dev.asyncqueue.testing.InMemoryDelivery.Kind;
import dev.asyncqueue.testing.InMemoryQueue;
import dev.asyncqueue.testing.Ports;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine end to end without a broker: an {@link InMemoryQueue} feeds the worker, a loopback HTTP server
 * plays both the gateway ({@code /function/...}) and the callback receiver ({@code /callback/...}).
 */
class QueueWorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration FAST_FIRST_RETRY = Duration.ofMillis(50);
    private static final List<String> WORKER_THREADS =
            List.of("async-queue-dispatcher", "async-queue-timer", "async-queue-callback");

    private final RecordingHttpServer server = RecordingHttpServer.start();
    private final HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(server.baseUrl())
            .timeout(Duration.ofSeconds(30)).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private InMemoryQueue queue = InMemoryQueue.create();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) c.close();
        invoker.close();
        server.close();
        queue.assertNoMisuse();
    }

    /** Retries fast enough for a test: 50ms, 100ms, 200ms, 200ms, ... */
    private static RetryPolicy fastRetries(int attempts) {
        return new RetryPolicy(attempts, RetryPolicy.DEFAULT_RETRY_CODES, FAST_FIRST_RETRY, Duration.ofMillis(200),
                Backoff.EXPONENTIAL);
    }

    private QueueWorkerBuilder worker() {
        return QueueWorker.builder()
                .name("test")
                .consumer(queue)
                .invoker(invoker)
                .retryPolicy(fastRetries(3))
                .pollWait(Duration.ofMillis(50))
                .keepAliveInterval(Duration.ofSeconds(5))
                .shutdownGrace(Duration.ofSeconds(5));
    }

    private QueueWorker start(QueueWorkerBuilder builder) {
        QueueWorker worker = builder.build();
        toClose.add(0, worker);
        worker.start();
        return worker;
    }

    private URI callbackUrl(String name) {
        return server.baseUrl().resolve("/callback/" + name);
    }

    private Invocation call(String function) {
        return Invocation.builder(function).callbackUrl(callbackUrl(function)).build();
    }

    private static List<Kind> kinds(List<InMemoryDelivery> deliveries) {
        return deliveries.stream().map(d -> d.settlement().orElseThrow().kind()).toList();
    }

    private static String header(RecordedRequest r, String name) {
        return r.header(name).orElseThrow(() -> new AssertionError("no " + name + " in " + r.headers()));
    }

    /** Waits for the worker to hold no calls; what the queue says is then final. */
    private static void awaitIdle(QueueWorker worker) {
        Eventually.assertWithin(WAIT, () -> "worker idle: " + worker, () -> worker.inFlight() == 0);
    }

    @Test
    void aSuccessfulCallIsAckedAndItsCallbackCarriesTheResult() throws Exception {
        server.respond("/function/echo", r -> Response.of(200, "hello " + r.bodyText()).withHeader("X-Fn", "yes"));
        Invocation invocation = Invocation.builder("echo").callId("call-1").method("PUT").path("/greet").query("lang=en")
                .header("X-Tag", "a").header("X-Tag", "b").body("bob".getBytes(StandardCharsets.UTF_8))
                .callbackUrl(callbackUrl("echo")).build();
        queue.enqueue(invocation);
        QueueWorker worker = start(worker());

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        RecordedRequest fn = server.requests("/function/").get(0);
        assertEquals("PUT", fn.method());
        assertEquals("/function/echo/greet", fn.path());
        assertEquals("lang=en", fn.query());
        assertEquals(List.of("a", "b"), fn.headers().get("X-Tag"));
        assertEquals("bob", fn.bodyText());

        List<RecordedRequest> callbacks = server.requests("/callback/");
        assertEquals(1, callbacks.size());
        RecordedRequest cb = callbacks.get(0);
        assertEquals("POST", cb.method());
        assertEquals("/callback/echo", cb.path());
        assertEquals("hello bob", cb.bodyText());
        assertEquals("yes", header(cb, "X-Fn"));
        assertEquals("call-1", header(cb, "X-Call-Id"));
        assertEquals("echo", header(cb, "X-Function-Name"));
        assertEquals("200", header(cb, "X-Function-Status"));
        assertTrue(header(cb, "X-Duration-Seconds").matches("\\d+\\.\\d+"), header(cb, "X-Duration-Seconds"));
        assertEquals("0", header(cb, "X-Retry"));
        assertEquals("2", header(cb, "X-Retry-Max"));

        assertEquals(List.of(Kind.ACK), kinds(queue.deliveries()));
        assertEquals(0, queue.pending());
    }

    @Test
    void anInvocationWithoutACallbackUrlIsAckedWithoutPosting() throws Exception {
        queue.enqueue(Invocation.builder("echo").build());
        QueueWorker worker = start(worker());

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(1, server.requests("/function/echo").size());
        assertTrue(server.requests("/callback/").isEmpty());
    }

    @Test
    void aRetryableStatusIsRetriedWithThePolicysDelayUntilMaxAttemptsThenTheFinalCallbackIsPostedAndTheMessageLeaves()
            throws Exception {
        server.respond("/function/flaky", r -> Response.of(500, "boom"));
        Invocation invocation = call("flaky");
        queue.enqueue(invocation);
        QueueWorker worker = start(worker().retryPolicy(fastRetries(3)));

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        List<InMemoryDelivery> deliveries = queue.deliveriesOf(invocation.callId());
        assertEquals(List.of(1, 2, 3), deliveries.stream().map(InMemoryDelivery::attempt).toList());
        assertEquals(List.of(Kind.RETRY, Kind.RETRY, Kind.ACK), kinds(deliveries));
        assertEquals(Duration.ofMillis(50), deliveries.get(0).retryDelay().orElseThrow());
        assertEquals(Duration.ofMillis(100), deliveries.get(1).retryDelay().orElseThrow());

        List<RecordedRequest> calls = server.requests("/function/flaky");
        assertEquals(3, calls.size(), "invoked maxAttempts times");
        assertTrue(Duration.between(calls.get(0).at(), calls.get(1).at()).compareTo(Duration.ofMillis(50)) >= 0,
                "the first retry waited");
        assertTrue(Duration.between(calls.get(1).at(), calls.get(2).at()).compareTo(Duration.ofMillis(100)) >= 0,
                "the second retry waited twice as long");

        List<RecordedRequest> callbacks = server.requests("/callback/");
        assertEquals(1, callbacks.size(), "only the final result is posted");
        RecordedRequest cb = callbacks.get(0);
        assertEquals("500", header(cb, "X-Function-Status"));
        assertEquals("boom", cb.bodyText());
        assertEquals("2", header(cb, "X-Retry"));
        assertEquals(header(cb, "X-Retry-Max"), header(cb, "X-Retry"), "X-Retry == X-Retry-Max: no more tries");
        assertEquals(0, queue.pending(), "the message left the queue");
    }

    @Test
    void aNonRetryableStatusIsFinalAtOnce() throws Exception {
        server.respond("/function/strict", r -> Response.of(400, "bad input"));
        queue.enqueue(call("strict"));
        QueueWorker worker = start(worker());

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(1, server.requests("/function/strict").size());
        assertEquals(List.of(Kind.ACK), kinds(queue.deliveries()));
        RecordedRequest cb = server.requests("/callback/").get(0);
        assertEquals("400", header(cb, "X-Function-Status"));
        assertEquals("bad input", cb.bodyText());
        assertEquals("0", header(cb, "X-Retry"));
        assertEquals("2", header(cb, "X-Retry-Max"));
    }

    @Test
    void aFunctionThatCannotBeReachedIsRetriedAndItsFinalCallbackReports503() throws Exception {
        HttpInvoker unreachable = HttpInvoker.builder().gatewayUrl(URI.create("http://127.0.0.1:" + Ports.refusing()))
                .build();
        toClose.add(unreachable);
        queue.enqueue(call("gone"));
        QueueWorker worker = start(worker().invoker(unreachable).retryPolicy(fastRetries(2)));

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(List.of(Kind.RETRY, Kind.ACK), kinds(queue.deliveries()));
        RecordedRequest cb = server.requests("/callback/").get(0);
        assertEquals("503", header(cb, "X-Function-Status"));
        assertEquals("1", header(cb, "X-Retry"));
        assertEquals("1", header(cb, "X-Retry-Max"));
    }

    @Test
    void aRetryAfterHeaderFromTheFunctionSetsTheDelay() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server.respond("/function/busy", r -> calls.incrementAndGet() == 1
                ? Response.of(429, "later").withHeader("Retry-After", "1")
                : Response.of(200, "done"));
        queue.enqueue(call("busy"));
        QueueWorker worker = start(worker());

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        InMemoryDelivery first = queue.deliveries().get(0);
        assertEquals(Duration.ofSeconds(1), first.retryDelay().orElseThrow());
        assertEquals("200", header(server.requests("/callback/").get(0), "X-Function-Status"));
    }

    @Test
    void retryAnnotationsOfTheFunctionOverrideTheWorkersPolicy() throws Exception {
        server.respond("/function/annotated", r -> Response.of(502, "bad gateway"));
        Invocation invocation = call("annotated").toBuilder().annotations(Map.of(
                WorkerSettings.RETRY_ATTEMPTS_ANNOTATION, "2",
                WorkerSettings.RETRY_MIN_WAIT_ANNOTATION, "20ms",
                WorkerSettings.RETRY_MAX_WAIT_ANNOTATION, "40ms")).build();
        queue.enqueue(invocation);
        // The worker's own policy would wait a minute and try five times.
        RetryPolicy slow = new RetryPolicy(5, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMinutes(1),
                Duration.ofMinutes(2), Backoff.EXPONENTIAL);
        QueueWorker worker = start(worker().retryPolicy(slow));

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(Duration.ofMillis(20), queue.deliveries().get(0).retryDelay().orElseThrow());
        assertEquals(2, server.requests("/function/annotated").size());
        RecordedRequest cb = server.requests("/callback/").get(0);
        assertEquals("1", header(cb, "X-Retry"));
        assertEquals("1", header(cb, "X-Retry-Max"));
    }

    @ParameterizedTest(name = "callback receiver {0}")
    @ValueSource(strings = {"answers 500", "is unreachable"})
    void aFailedCallbackIsReportedAndTheMessageIsStillAckedOnceAndNotInvokedAgain(String how) throws Exception {
        URI callback = how.equals("answers 500")
                ? callbackUrl("broken")
                : URI.create("http://127.0.0.1:" + Ports.refusing() + "/callback/nowhere");
        server.respond("/callback/broken", r -> Response.of(500, "receiver down"));
        Invocation invocation = Invocation.builder("echo").callbackUrl(callback).build();
        queue.enqueue(invocation);
        List<String> failures = new CopyOnWriteArrayList<>();
        QueueWorker worker = start(worker().listener(new WorkerListener() {
            @Override
            public void callbackFailed(Invocation failed, String why) {
                failures.add(failed.callId() + ": " + why);
            }
        }));

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(1, failures.size(), failures::toString);
        assertTrue(failures.get(0).startsWith(invocation.callId()), failures::toString);
        assertEquals(List.of(Kind.ACK), kinds(queue.deliveries()), "acked exactly once");
        assertEquals(0, queue.pending(), "nothing left that could be invoked again");
        assertEquals(1, server.requests("/function/echo").size());
    }

    @Test
    void withoutCallbacksConfiguredTheWorkerRefusesACallbackToAMetadataAddressAndStillAcksTheMessage() throws Exception {
        Invocation invocation = Invocation.builder("echo")
                .callbackUrl(URI.create("http://169.254.169.254/latest/meta-data/")).build();
        queue.enqueue(invocation);
        List<String> failures = new CopyOnWriteArrayList<>();
        QueueWorker worker = start(worker().listener(new WorkerListener() {
            @Override
            public void callbackFailed(Invocation failed, String why) {
                failures.add(why);
            }
        }));

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(1, failures.size(), failures::toString);
        assertTrue(failures.get(0).contains("link-local"), "refused by the default callback policy: " + failures);
        assertEquals(List.of(Kind.ACK), kinds(queue.deliveries()), "settled once, by an ack");
        assertEquals(1, server.requests("/function/echo").size());
    }

    @Test
    void aCallLongerThanTheAckWaitIsKeptAliveAndInvokedOnce() throws Exception {
        queue = InMemoryQueue.withAckWait(Duration.ofMillis(300));
        server.respond("/function/slow", r -> Response.of(200, "finally").after(Duration.ofMillis(1000)));
        queue.enqueue(call("slow"));
        QueueWorker worker = start(worker().consumer(queue).keepAliveInterval(Duration.ofMillis(50)));

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(0, queue.redeliveries(), "the queue never gave up on the worker");
        assertEquals(1, server.requests("/function/slow").size(), "invoked once");
        assertEquals(1, server.requests("/callback/").size(), "one callback");
        InMemoryDelivery delivery = queue.deliveries().get(0);
        assertTrue(delivery.keepAlives() >= 5, "keep-alives while the call ran: " + delivery.keepAlives());
        assertTrue(queue.lateSettlements().isEmpty());
    }

    @Test
    void theWorkerNeverHoldsMoreDeliveriesThanMaxInflightAndFinishesThemAll() throws Exception {
        server.respond("/function/slow", r -> Response.of(200, "ok").after(Duration.ofMillis(100)));
        for (int i = 0; i < 20; i++) queue.enqueue(call("slow"));
        QueueWorker worker = start(worker().maxInflight(3));

        queue.awaitAcked(20, WAIT);
        awaitIdle(worker);

        assertTrue(queue.maxHeld() <= 3, "held at most max_inflight, held " + queue.maxHeld());
        assertEquals(3, queue.maxHeld(), "and used all of it");
        assertEquals(20, server.requests("/function/slow").size());
        assertEquals(20, server.requests("/callback/").size());
        assertEquals(0, queue.pending());
    }

    @Test
    void aPullThatFailsPartWayDoesNotRaiseTheWorkersCapacity() throws Exception {
        server.respond("/function/slow", r -> Response.of(200, "ok").after(Duration.ofMillis(300)));
        for (int i = 0; i < 6; i++) queue.enqueue(call("slow"));
        queue.failNextFetch(1, new IllegalStateException("connection lost mid-pull"));
        QueueWorker worker = start(worker().maxInflight(2));

        queue.awaitAcked(6, WAIT);
        awaitIdle(worker);

        assertTrue(queue.maxHeld() <= 2, "held at most max_inflight after a failed pull, held " + queue.maxHeld());
        assertEquals(6, server.requests("/function/slow").size());
    }

    @Test
    void aPullThatFailsPartWayReturnsTheLimiterPermitsItDidNotUse() throws Exception {
        server.respond("/function/slow", r -> Response.of(200, "ok").after(Duration.ofMillis(100)));
        for (int i = 0; i < 3; i++) queue.enqueue(call("slow"));
        queue.failNextFetch(1, new IllegalStateException("connection lost mid-pull"));
        CountingLimiter limiter = new CountingLimiter(4);
        QueueWorker worker = start(worker().consumer(new OneFunctionStrategy(queue, "slow")).maxInflight(4)
                .limiters((function, annotations) -> limiter));

        queue.awaitAcked(3, WAIT);
        awaitIdle(worker);
        worker.close();

        assertEquals(0, limiter.inFlight(), "every permit was released");
        assertEquals(List.of(), limiter.problems);
    }

    @Test
    void aLimiterThatGrantsNothingIsAskedAgainWithinMillisecondsNotATenthOfThePollWait() throws Exception {
        server.respond("/function/paced", r -> Response.of(200, "ok"));
        queue.enqueue(call("paced"));
        int refusals = 20;
        AtomicInteger asked = new AtomicInteger();
        CountingLimiter grants = new CountingLimiter(1);
        ConcurrencyLimiter grantsOnTheTwentyFirstAsk = new ConcurrencyLimiter() {
            @Override
            public Optional<Permit> tryAcquire() {
                return asked.incrementAndGet() <= refusals ? Optional.empty() : grants.tryAcquire();
            }

            @Override
            public int limit() {
                return 1;
            }

            @Override
            public int inFlight() {
                return grants.inFlight();
            }
        };
        long started = System.nanoTime();
        // The production poll wait: a tenth of it is 100 ms, so twenty waits of that would take two seconds.
        start(worker().consumer(new OneFunctionStrategy(queue, "paced")).pollWait(Duration.ofSeconds(1))
                .limiters((function, annotations) -> grantsOnTheTwentyFirstAsk));

        queue.awaitAcked(1, WAIT);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertTrue(asked.get() > refusals);
        // A limiter changes its mind with time too (a probe judged by its window, room another replica
        // freed), and no call of this worker ends to say so: it is asked again every few milliseconds.
        assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "twenty refusals took " + took.toMillis() + " ms");
    }

    @Test
    void withRejectionsWaitingInTheQueueA429DoesNotUseUpARetry() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server.respond("/function/busy", r -> calls.incrementAndGet() <= 3 ? Response.of(429, "busy") : Response.of(200, "ok"));
        queue.enqueue(call("busy"));
        QueueWorker worker = start(worker().retryPolicy(fastRetries(2))
                .rejectionsWaitInQueue(true, Duration.ofMillis(20)));

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(4, server.requests("/function/busy").size());
        List<InMemoryDelivery> deliveries = queue.deliveries();
        assertEquals(List.of(Kind.RETRY, Kind.RETRY, Kind.RETRY, Kind.ACK), kinds(deliveries));
        assertEquals(Duration.ofMillis(20), deliveries.get(0).retryDelay().orElseThrow(), "the rejection delay");
        RecordedRequest cb = server.requests("/callback/").get(0);
        assertEquals("200", header(cb, "X-Function-Status"));
        assertEquals("0", header(cb, "X-Retry"), "returns for a 429 are not retries");
        assertEquals("1", header(cb, "X-Retry-Max"));
    }

    @Test
    void aCallRejectedWith429MoreOftenThanTheFreeReturnsAllowStartsUsingUpItsRetries() throws Exception {
        server.respond("/function/busy", r -> Response.of(429, "busy"));
        queue.enqueue(call("busy"));
        QueueWorker worker = start(worker().retryPolicy(fastRetries(2)).maxFreeReturns(3)
                .rejectionsWaitInQueue(true, Duration.ofMillis(20)));

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(5, server.requests("/function/busy").size(), "3 free returns, then the 2 attempts of the budget");
        RecordedRequest cb = server.requests("/callback/").get(0);
        assertEquals("429", header(cb, "X-Function-Status"));
        assertEquals("1", header(cb, "X-Retry"));
        assertEquals("1", header(cb, "X-Retry-Max"), "the call ended: it did not circulate for ever");
    }

    @Test
    void withoutRejectionsWaitingA429GoesThroughTheRetriesAndExhaustsTheBudget() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server.respond("/function/busy", r -> calls.incrementAndGet() <= 3 ? Response.of(429, "busy") : Response.of(200, "ok"));
        queue.enqueue(call("busy"));
        QueueWorker worker = start(worker().retryPolicy(fastRetries(2)).rejectionsWaitInQueue(false, Duration.ofMillis(20)));

        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(2, server.requests("/function/busy").size());
        assertEquals(List.of(Kind.RETRY, Kind.ACK), kinds(queue.deliveries()));
        assertEquals(FAST_FIRST_RETRY, queue.deliveries().get(0).retryDelay().orElseThrow(), "the policy's delay");
        RecordedRequest cb = server.requests("/callback/").get(0);
        assertEquals("429", header(cb, "X-Function-Status"));
        assertEquals("1", header(cb, "X-Retry"));
        assertEquals("1", header(cb, "X-Retry-Max"));
    }

    @Test
    void aFunctionWhoseLimiterSaysNoIsNotInvokedAndWaitsInTheQueue() throws Exception {
        AtomicBoolean open = new AtomicBoolean(false);
        ConcurrencyLimiter gate = new CountingLimiter(1) {
            @Override
            public Optional<Permit> tryAcquire() {
                return open.get() ? super.tryAcquire() : Optional.empty();
            }
        };
        queue.enqueue(call("paced"));
        QueueWorker worker = start(worker().limiters((function, annotations) -> gate)
                .rejectionsWaitInQueue(false, Duration.ofMillis(20)));

        queue.awaitDeliveries(3, WAIT);
        assertTrue(server.requests("/function/").isEmpty(), "never invoked while the limiter says no");
        open.set(true);
        queue.awaitAcked(1, WAIT);
        awaitIdle(worker);

        assertEquals(1, server.requests("/function/paced").size());
        List<InMemoryDelivery> deliveries = queue.deliveries();
        assertEquals(Duration.ofMillis(20), deliveries.get(0).retryDelay().orElseThrow());
        assertEquals("0", header(server.requests("/callback/").get(0), "X-Retry"), "being held back is not a retry");
    }

    @Test
    void closeLetsCallsInFlightFinishWithinTheGracePeriod() throws Exception {
        server.respond("/function/slow", r -> Response.of(200, "ok").after(Duration.ofMillis(400)));
        queue.enqueue(call("slow")).enqueue(call("slow"));
        QueueWorker worker = start(worker().shutdownGrace(Duration.ofSeconds(10)));
        server.await("/function/slow", 2, WAIT);

        long start = System.nanoTime();
        worker.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "close returned when the calls were done: " + took);
        assertEquals(List.of(Kind.ACK, Kind.ACK), kinds(queue.deliveries()));
        assertEquals(2, server.requests("/callback/").size(), "their callbacks were posted");
        assertEquals(0, queue.pending());
        assertTrue(queue.isClosed(), "the consumer was closed");
        assertNoWorkerThreads();
    }

    @Test
    void closeWithAShortGraceReturnsUnfinishedCallsToTheQueueAndStopsItsThreads() throws Exception {
        AtomicBoolean slow = new AtomicBoolean(true);
        server.respond("/function/stuck", r -> slow.get()
                ? Response.of(200, "too late").after(Duration.ofSeconds(30))
                : Response.of(200, "ok"));
        Invocation a = call("stuck");
        Invocation b = call("stuck");
        queue.enqueue(a).enqueue(b);
        QueueWorker worker = start(worker().shutdownGrace(Duration.ofMillis(100)));
        server.await("/function/stuck", 2, WAIT);

        long start = System.nanoTime();
        worker.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "close did not wait for the calls: " + took);
        for (InMemoryDelivery d : queue.deliveries()) {
            assertEquals(Duration.ZERO, d.retryDelay().orElseThrow(() -> new AssertionError(d + " not returned")),
                    "returned for immediate redelivery");
        }
        assertEquals(2, queue.ready(), "both calls are back in the queue");
        assertTrue(server.requests("/callback/").isEmpty(), "no callback for an unfinished call");
        assertEquals(0, worker.inFlight());
        assertNoWorkerThreads();

        // Nothing was lost: another worker picks the calls up.
        slow.set(false);
        QueueWorker next = start(worker());
        queue.awaitAcked(2, WAIT);
        awaitIdle(next);
        assertEquals(Set.of(a.callId(), b.callId()),
                queue.acked().stream().map(d -> d.invocation().callId()).collect(Collectors.toSet()));
        queue.acked().forEach(d -> assertEquals(2, d.attempt(), "redelivered: " + d));
        assertEquals(2, server.requests("/callback/").size());
    }

    @Test
    void aWorkerClosedBeforeStartingCannotStartLater() {
        QueueWorker worker = worker().build();
        worker.close();
        assertNoWorkerThreads();
        assertThrows(IllegalStateException.class, worker::start, "a closed worker cannot be started again");
    }

    @Test
    void aClosedWorkerCannotBeStartedAgain() {
        QueueWorker worker = start(worker());
        worker.close();
        assertThrows(IllegalStateException.class, worker::start);
        assertNoWorkerThreads();
    }

    private static void assertNoWorkerThreads() {
        Eventually.assertWithin(WAIT, () -> "worker threads still alive: " + workerThreads(),
                () -> workerThreads().isEmpty());
    }

    private static List<String> workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> WORKER_THREADS.stream().anyMatch(name::startsWith))
                .toList();
    }

    /** A fixed limit that counts permits and notes double releases. */
    private static class CountingLimiter implements ConcurrencyLimiter {
        private final int limit;
        private final AtomicInteger inFlight = new AtomicInteger();
        final List<String> problems = new CopyOnWriteArrayList<>();

        CountingLimiter(int limit) {
            this.limit = limit;
        }

        @Override
        public Optional<Permit> tryAcquire() {
            while (true) {
                int now = inFlight.get();
                if (now >= limit) return Optional.empty();
                if (inFlight.compareAndSet(now, now + 1)) break;
            }
            AtomicBoolean released = new AtomicBoolean();
            return Optional.of(outcome -> {
                if (released.compareAndSet(false, true)) {
                    inFlight.decrementAndGet();
                } else {
                    problems.add("permit released twice, last with " + outcome);
                }
            });
        }

        @Override
        public int limit() {
            return limit;
        }

        @Override
        public int inFlight() {
            return inFlight.get();
        }
    }
}
