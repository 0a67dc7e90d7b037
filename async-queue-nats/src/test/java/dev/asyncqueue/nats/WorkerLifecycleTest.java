package dev.asyncqueue.nats;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.testing.CapturedLog;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import dev.asyncqueue.worker.QueueWorker;
import dev.asyncqueue.worker.WorkerListener;
import dev.asyncqueue.worker.WorkerState;
import io.nats.client.Connection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker's life on a real nats-server: its name and keep-alives follow the queue, and it notices a closed connection. */
class WorkerLifecycleTest extends SharedNatsServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ConsumerStrategy strategy(String mode, JetStreamQueue queue) {
        return mode.equals("static") ? StaticConsumerStrategy.builder(queue).build()
                : FunctionConsumerStrategy.builder(queue).discoveryInterval(Duration.ofMillis(100)).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"static", "function"})
    void aConnectionClosedForGoodEndsPullingWithOneErrorAStateAndAnEventNotAWarningPerSecond(String mode) throws Exception {
        http.respond("/function/echo", r -> Response.of(200, "ok"));
        Connection own = NatsConnections.connect(server.url(), "lifecycle-" + mode);
        JetStreamQueue queue = JetStreamQueue.builder(own).queue(NatsTestServer.uniqueQueue("closing-" + mode)).build();
        List<WorkerState> heard = new CopyOnWriteArrayList<>();
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).build();
        toClose.add(invoker);
        try (CapturedLog log = CapturedLog.start()) {
            QueueWorker worker = QueueWorker.builder()
                    .consumer(strategy(mode, queue))
                    .invoker(invoker)
                    .pollWait(Duration.ofMillis(100))
                    .listener(new WorkerListener() {
                        @Override
                        public void stateChanged(WorkerState state, String why) {
                            heard.add(state);
                        }
                    })
                    .build();
            toClose.add(worker);
            worker.start();
            queue.enqueue(queue.invocation("echo").build()).toCompletableFuture().get(5, TimeUnit.SECONDS);
            http.await("/function/echo", 1, WAIT);

            own.close();

            awaitTrue("the worker says its transport is closed", WAIT,
                    () -> worker.state() == WorkerState.TRANSPORT_CLOSED);
            awaitTrue("its dispatcher ended", WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith("async-queue-dispatcher-" + queue.name())));
            String text = log.text();
            assertEquals(1, occurrences(text, "queue-worker " + queue.name() + " stops pulling"), text);
            assertTrue(occurrences(text, "pulling from queue " + queue.name() + " failed") <= 1, text);
            assertEquals(List.of(WorkerState.RUNNING, WorkerState.TRANSPORT_CLOSED), heard);

            worker.close();
            assertEquals(WorkerState.STOPPED, worker.state());
        }
    }

    @Test
    void theWorkerIsNamedAfterItsQueueAndItsKeepAlivesFollowTheAckWait() throws Exception {
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("named")).build();
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).build();
        toClose.add(invoker);
        StaticConsumerStrategy consumer = StaticConsumerStrategy.builder(queue).ackWait(Duration.ofSeconds(3)).build();

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> QueueWorker.builder()
                .consumer(consumer).invoker(invoker).keepAliveInterval(Duration.ofSeconds(3)).build());
        assertTrue(refused.getMessage().contains("ack wait"), refused.getMessage());

        QueueWorker worker = QueueWorker.builder().consumer(consumer).invoker(invoker).build();
        toClose.add(worker);
        assertTrue(worker.toString().contains(queue.name()), worker.toString());
    }

    @Test
    void durationsAQueueOrAStrategyCannotUseAreRefusedWhereTheyAreSet() {
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("checked")).build();
        List<Function<Duration, Object>> setters = List.of(
                d -> StaticConsumerStrategy.builder(queue).ackWait(d),
                d -> FunctionConsumerStrategy.builder(queue).ackWait(d),
                d -> FunctionConsumerStrategy.builder(queue).inactiveThreshold(d),
                d -> FunctionConsumerStrategy.builder(queue).discoveryInterval(d),
                d -> JetStreamQueue.builder(connection).duplicateWindow(d));
        for (Function<Duration, Object> setter : setters) {
            assertThrows(IllegalArgumentException.class, () -> setter.apply(Duration.ofSeconds(-1)));
            assertThrows(IllegalArgumentException.class, () -> setter.apply(Duration.ZERO));
        }
        assertThrows(IllegalArgumentException.class, () -> StaticConsumerStrategy.builder(queue).maxAckPending(0));
        IllegalArgumentException window = assertThrows(IllegalArgumentException.class, () -> JetStreamQueue
                .builder(connection).duplicateWindow(Duration.ofSeconds(5)).publishTimeout(Duration.ofSeconds(10)).build());
        assertTrue(window.getMessage().contains("duplicateWindow"), window.getMessage());
    }

    @Test
    void anInvocationForAnotherQueueIsRefusedAtOnceNamingTheFix() {
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("orders")).build();

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> queue.enqueue(dev.asyncqueue.Invocation.builder("echo").build()));
        assertTrue(refused.getMessage().contains("is for queue faas-request, not " + queue.name()), refused.getMessage());
        assertTrue(refused.getMessage().contains("queue.invocation(function)"), refused.getMessage());
        assertEquals(queue.name(), queue.invocation("echo").build().queue(), "the queue's own builder names it");
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
