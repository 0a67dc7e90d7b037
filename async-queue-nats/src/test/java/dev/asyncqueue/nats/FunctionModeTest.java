package dev.asyncqueue.nats;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.PendingMessages;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.retry.RetryDecision;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import dev.asyncqueue.worker.QueueWorker;
import dev.asyncqueue.worker.WorkerListener;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.ConsumerInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Function mode against a real nats-server: fairness, consumer lifecycle, mode switches, sharing, depth. */
class FunctionModeTest extends SharedNatsServerTest {

    private final Map<String, AtomicInteger> callsPerId = new ConcurrentHashMap<>();

    private JetStreamQueue queue(String prefix, Connection conn) {
        return JetStreamQueue.builder(conn).queue(NatsTestServer.uniqueQueue(prefix)).build();
    }

    private QueueWorker worker(ConsumerStrategy strategy, int maxInflight, WorkerListener listener) {
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).build();
        QueueWorker worker = QueueWorker.builder().name("fn-test")
                .consumer(strategy).invoker(invoker).maxInflight(maxInflight)
                .keepAliveInterval(Duration.ofSeconds(5)).shutdownGrace(Duration.ofSeconds(10))
                .listener(listener)
                .build();
        toClose.add(invoker);
        toClose.add(worker);
        worker.start();
        return worker;
    }

    private WorkerListener countingCalls() {
        return new WorkerListener() {
            @Override
            public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
                callsPerId.computeIfAbsent(invocation.callId(), id -> new AtomicInteger()).incrementAndGet();
            }
        };
    }

    private static FunctionConsumerStrategy functionMode(JetStreamQueue queue, Duration inactiveThreshold) {
        return FunctionConsumerStrategy.builder(queue).inactiveThreshold(inactiveThreshold)
                .discoveryInterval(Duration.ofMillis(200)).build();
    }

    private static void enqueue(JetStreamQueue queue, String function, int count, String idPrefix) {
        List<CompletableFuture<?>> stored = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            stored.add(queue.enqueue(Invocation.builder(function).queue(queue.name()).callId(idPrefix + i).build())
                    .toCompletableFuture());
        }
        CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).join();
    }

    private static boolean consumerExists(JetStreamQueue queue, String name) {
        try {
            ConsumerInfo info = connection.jetStreamManagement().getConsumerInfo(queue.streamName(), name);
            return info != null;
        } catch (JetStreamApiException e) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs A's backlog and B's few calls; returns how many of A's calls were done when B's last one was. */
    private int aDoneWhenBFinished(Function<JetStreamQueue, ConsumerStrategy> mode) throws Exception {
        JetStreamQueue queue = queue("fair", connection);
        AtomicInteger aDone = new AtomicInteger();
        AtomicInteger bDone = new AtomicInteger();
        AtomicInteger aDoneAtLastB = new AtomicInteger(-1);
        http.respond("/function/hot", r -> {
            aDone.incrementAndGet();
            return Response.of(200, "a").after(Duration.ofMillis(4));
        });
        http.respond("/function/cold", r -> {
            if (bDone.incrementAndGet() == 20) aDoneAtLastB.set(aDone.get());
            return Response.of(200, "b");
        });
        enqueue(queue, "hot", 5_000, "a-");
        enqueue(queue, "cold", 20, "b-");
        worker(mode.apply(queue), 20, WorkerListener.NONE);

        awaitTrue("all of cold's calls are done", Duration.ofSeconds(90), () -> aDoneAtLastB.get() >= 0);
        return aDoneAtLastB.get();
    }

    @Test
    void inFunctionModeAFewCallsForOneFunctionFinishWhileAnotherFunctionsBacklogStillWaits() throws Exception {
        int aDone = aDoneWhenBFinished(q -> functionMode(q, Duration.ofSeconds(30)));
        assertTrue(aDone < 2_500, "B finished while most of A's 5,000 still waited; A done then: " + aDone);
    }

    @Test
    void inStaticModeTheSameFewCallsWaitBehindTheWholeBacklog() throws Exception {
        int aDone = aDoneWhenBFinished(q -> StaticConsumerStrategy.builder(q).build());
        assertTrue(aDone > 4_500, "FIFO: B waited behind A's backlog; A done when B finished: " + aDone);
    }

    @Test
    void aFunctionsConsumerIsCreatedWithItsWorkDeletedWhenIdleAndCreatedAgainForNewWork() throws Exception {
        JetStreamQueue queue = queue("lifecycle", connection);
        FunctionConsumerStrategy strategy = functionMode(queue, Duration.ofSeconds(1));
        worker(strategy, 5, WorkerListener.NONE);
        String consumer = FunctionConsumerStrategy.consumerName("figlet.openfaas-fn");
        assertFalse(consumerExists(queue, consumer), "no consumer before there is work");

        enqueue(queue, "figlet.openfaas-fn", 1, "first-");
        awaitTrue("the consumer exists", Duration.ofSeconds(10), () -> consumerExists(queue, consumer));
        http.await("/function/figlet.openfaas-fn", 1, Duration.ofSeconds(10));
        ConsumerInfo info = connection.jetStreamManagement().getConsumerInfo(queue.streamName(), consumer);
        assertEquals(Subjects.forFunction(queue.name(), "figlet.openfaas-fn"), info.getConsumerConfiguration().getFilterSubject());

        awaitTrue("the idle consumer is deleted", Duration.ofSeconds(20), () -> !consumerExists(queue, consumer));

        enqueue(queue, "figlet.openfaas-fn", 1, "second-");
        // A consumer lives at least inactiveThreshold after its last work, so polling sees the new one.
        awaitTrue("the consumer is created again", Duration.ofSeconds(10),
                () -> createdAfter(queue, consumer, info.getCreationTime()));
        http.await("/function/figlet.openfaas-fn", 2, Duration.ofSeconds(10));
        assertEquals(2, http.requests("/function/").size(), "each call ran once, the second through the new consumer");
    }

    /** Whether {@code name} exists and was created after {@code time}: not the consumer that was deleted. */
    private static boolean createdAfter(JetStreamQueue queue, String name, ZonedDateTime time) {
        try {
            return connection.jetStreamManagement().getConsumerInfo(queue.streamName(), name).getCreationTime().isAfter(time);
        } catch (JetStreamApiException e) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void switchingFromStaticToFunctionModeWithMessagesWaitingProcessesEachExactlyOnce() throws Exception {
        JetStreamQueue queue = queue("switch-sf", connection);
        http.respond("/function/", r -> Response.of(200, "ok").after(Duration.ofMillis(20)));
        for (String f : List.of("f1", "f2", "f3")) enqueue(queue, f, 100, f + "-");

        QueueWorker staticWorker = worker(StaticConsumerStrategy.builder(queue).build(), 10, countingCalls());
        awaitTrue("some calls are done", Duration.ofSeconds(20), () -> callsPerId.size() >= 50);
        staticWorker.close();
        assertTrue(callsPerId.size() < 300, "the switch happens with messages waiting");

        worker(functionMode(queue, Duration.ofSeconds(30)), 10, countingCalls());
        awaitTrue("all 300 calls are done", Duration.ofSeconds(60), () -> callsPerId.size() == 300);
        awaitTrue("the stream is empty", Duration.ofSeconds(10), () -> pending(queue).total() == 0);

        assertTrue(callsPerId.values().stream().allMatch(n -> n.get() == 1), "each exactly once: " + duplicates());
        assertFalse(consumerExists(queue, StaticConsumerStrategy.DEFAULT_CONSUMER), "the shared consumer was removed");
    }

    @Test
    void switchingFromFunctionToStaticModeWithMessagesWaitingProcessesEachExactlyOnce() throws Exception {
        JetStreamQueue queue = queue("switch-fs", connection);
        http.respond("/function/", r -> Response.of(200, "ok").after(Duration.ofMillis(20)));
        for (String f : List.of("f1", "f2", "f3")) enqueue(queue, f, 100, f + "-");

        QueueWorker functionWorker = worker(functionMode(queue, Duration.ofSeconds(30)), 10, countingCalls());
        awaitTrue("some calls are done", Duration.ofSeconds(20), () -> callsPerId.size() >= 50);
        functionWorker.close();
        assertTrue(callsPerId.size() < 300, "the switch happens with messages waiting");

        worker(StaticConsumerStrategy.builder(queue).build(), 10, countingCalls());
        awaitTrue("all 300 calls are done", Duration.ofSeconds(60), () -> callsPerId.size() == 300);

        assertTrue(callsPerId.values().stream().allMatch(n -> n.get() == 1), "each exactly once: " + duplicates());
        for (String f : List.of("f1", "f2", "f3")) {
            assertFalse(consumerExists(queue, FunctionConsumerStrategy.consumerName(f)), "consumer of " + f + " removed");
        }
    }

    @Test
    void twoWorkerProcessesInFunctionModeShareTheLoadAndProcessEachMessageOnce() throws Exception {
        Connection second = NatsTestServer.connect(server);
        toClose.add(second::close);
        JetStreamQueue queue = queue("two", connection);
        JetStreamQueue sameQueueOtherConnection = JetStreamQueue.builder(second).queue(queue.name()).build();
        http.respond("/function/", r -> Response.of(200, "ok").after(Duration.ofMillis(10)));
        for (String f : List.of("g1", "g2")) enqueue(queue, f, 150, f + "-");
        AtomicInteger byFirst = new AtomicInteger();
        AtomicInteger bySecond = new AtomicInteger();

        worker(functionMode(queue, Duration.ofSeconds(30)), 5, counting(byFirst));
        worker(functionMode(sameQueueOtherConnection, Duration.ofSeconds(30)), 5, counting(bySecond));

        awaitTrue("all 300 calls are done", Duration.ofSeconds(60), () -> callsPerId.size() == 300);
        awaitTrue("the stream is empty", Duration.ofSeconds(10), () -> pending(queue).total() == 0);
        assertTrue(callsPerId.values().stream().allMatch(n -> n.get() == 1), "each exactly once: " + duplicates());
        assertEquals(300, byFirst.get() + bySecond.get());
        assertTrue(byFirst.get() > 30 && bySecond.get() > 30, "both took a share: " + byFirst + " / " + bySecond);
    }

    private WorkerListener counting(AtomicInteger counter) {
        WorkerListener ids = countingCalls();
        return new WorkerListener() {
            @Override
            public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
                counter.incrementAndGet();
                ids.invocationFinished(invocation, result, decision);
            }
        };
    }

    @Test
    void pendingCountsAreRightAfterEnqueueDuringProcessingAndAfterDrain() throws Exception {
        JetStreamQueue queue = queue("depth", connection);
        enqueue(queue, "busy.openfaas-fn", 30, "busy-");
        enqueue(queue, "quiet", 10, "quiet-");
        connection.jetStream().publish(Subjects.legacy(queue.name()),
                "{\"Function\":\"legacy\",\"Method\":\"POST\"}".getBytes());

        PendingMessages before = pending(queue);
        assertEquals(41, before.total());
        assertEquals(Map.of("busy.openfaas-fn", 30L, "quiet", 10L), before.byFunction());

        http.respond("/function/", r -> Response.of(200, "ok").after(Duration.ofMillis(100)));
        worker(functionMode(queue, Duration.ofSeconds(30)), 4, WorkerListener.NONE);
        awaitTrue("some are done and some wait", Duration.ofSeconds(20), () -> {
            PendingMessages now = pending(queue);
            return now.total() > 0 && now.total() < 41 && now.forFunction("busy.openfaas-fn") < 30;
        });

        awaitTrue("drained", Duration.ofSeconds(30), () -> pending(queue).total() == 0);
        assertEquals(Map.of(), pending(queue).byFunction());
        assertEquals(41, http.requests("/function/").size());
    }

    private static PendingMessages pending(JetStreamQueue queue) {
        return queue.pending();
    }

    private String duplicates() {
        StringBuilder sb = new StringBuilder();
        callsPerId.forEach((id, n) -> {
            if (n.get() != 1) sb.append(id).append('=').append(n.get()).append(' ');
        });
        return sb.toString();
    }
}
