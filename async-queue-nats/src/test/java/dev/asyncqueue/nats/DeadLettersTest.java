package dev.asyncqueue.nats;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import dev.asyncqueue.worker.QueueWorker;
import io.nats.client.JetStreamApiException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dead letters on a real nats-server: what goes there, what it keeps, and how operators get it back. */
class DeadLettersTest extends SharedNatsServerTest {

    private JetStreamQueue queue(String prefix, boolean deadLetters) {
        return JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue(prefix)).deadLetters(deadLetters).build();
    }

    private void worker(JetStreamQueue queue, int attempts) {
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).timeout(Duration.ofSeconds(10)).build();
        QueueWorker worker = QueueWorker.builder().name(queue.name())
                .consumer(StaticConsumerStrategy.builder(queue).ackWait(Duration.ofSeconds(5)).build())
                .invoker(invoker)
                .retryPolicy(new RetryPolicy(attempts, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(50),
                        Duration.ofMillis(100), Backoff.EXPONENTIAL))
                .pollWait(Duration.ofMillis(200))
                .shutdownGrace(Duration.ofSeconds(2))
                .build();
        toClose.add(invoker);
        toClose.add(worker);
        worker.start();
    }

    private static long messagesIn(String stream) {
        try {
            return connection.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        awaitTrue(what, Duration.ofSeconds(15), condition);
    }

    @Test
    void aCallThatExhaustsItsRetriesIsDeadLetteredWithItsPayloadUnchangedAfterTheFinalCallback() throws Exception {
        JetStreamQueue queue = queue("dlq-exhausted", true);
        http.respond("/function/flaky", r -> Response.of(503, "down"));
        worker(queue, 3);
        Invocation invocation = Invocation.builder("flaky").queue(queue.name()).body("payload".getBytes())
                .callbackUrl(URI.create(http.baseUrl() + "/cb")).build();
        long seq = queue.enqueue(invocation).toCompletableFuture().get(5, TimeUnit.SECONDS).sequence();
        byte[] original = connection.jetStreamManagement().getMessage(queue.streamName(), seq).getData();

        http.await("/cb", 1, Duration.ofSeconds(15));
        DeadLetterQueue dlq = queue.deadLetters().orElseThrow();
        awaitTrue("the dead letter is stored and the work queue is empty",
                () -> messagesIn(dlq.streamName()) == 1 && messagesIn(queue.streamName()) == 0);

        assertEquals("OF_" + queue.name() + "_DLQ", dlq.streamName());
        DeadLetter letter = dlq.find(invocation.callId()).get(0);
        assertEquals(Delivery.RETRIES_EXHAUSTED, letter.reason());
        assertEquals(503, letter.lastStatus());
        assertEquals(3, letter.attempts());
        assertEquals("flaky", letter.function());
        assertArrayEquals(original, letter.payload());
        assertEquals(3, http.requests("/function/flaky").size());
    }

    @Test
    void anUndecodableMessageIsDeadLetteredInsteadOfOnlyTerminated() throws Exception {
        JetStreamQueue queue = queue("dlq-malformed", true);
        worker(queue, 3);
        byte[] garbage = "{\"Function\":".getBytes(StandardCharsets.UTF_8);
        connection.jetStream().publish(Subjects.forFunction(queue.name(), "echo"), garbage);

        DeadLetterQueue dlq = queue.deadLetters().orElseThrow();
        awaitTrue("the malformed message moved to the dead letters",
                () -> messagesIn(dlq.streamName()) == 1 && messagesIn(queue.streamName()) == 0);
        DeadLetter letter = dlq.list(10).get(0);
        assertEquals(Delivery.MALFORMED, letter.reason());
        assertEquals("echo", letter.function());
        assertArrayEquals(garbage, letter.payload());
        assertTrue(!letter.detail().isEmpty(), "the detail says what was wrong");
    }

    @Test
    void aQueuedMessageWhoseFunctionIsMadeOnlyOfDotsIsDeadLetteredAsMalformedAndCallsNothing() throws Exception {
        // ".", ".." and "..." would become <gateway>/function/../<path>: a call outside the function's URL.
        JetStreamQueue queue = queue("dlq-dots", true);
        worker(queue, 3);
        List<String> names = List.of(".", "..", "...");
        for (String name : names) {
            connection.jetStream().publish(Subjects.forFunction(queue.name(), "echo"), ("{\"Function\":\"" + name
                    + "\",\"Method\":\"POST\",\"Path\":\"/admin\"}").getBytes(StandardCharsets.UTF_8));
        }

        DeadLetterQueue dlq = queue.deadLetters().orElseThrow();
        awaitTrue("the three messages moved to the dead letters",
                () -> messagesIn(dlq.streamName()) == names.size() && messagesIn(queue.streamName()) == 0);
        for (DeadLetter letter : dlq.list(10)) {
            assertEquals(Delivery.MALFORMED, letter.reason());
            assertTrue(letter.detail().contains("is not a valid function name"), letter.detail());
        }
        assertEquals(0, http.requests().size(), "nothing was called");
    }

    @Test
    void anUndecodableMessageOnTheLegacySubjectIsDeadLetteredWithoutAFunction() throws Exception {
        JetStreamQueue queue = queue("dlq-legacy", true);
        worker(queue, 3);
        byte[] noFunction = "{\"Method\":\"POST\"}".getBytes(StandardCharsets.UTF_8);
        connection.jetStream().publish(Subjects.legacy(queue.name()), noFunction);

        DeadLetterQueue dlq = queue.deadLetters().orElseThrow();
        awaitTrue("the legacy message moved to the dead letters",
                () -> messagesIn(dlq.streamName()) == 1 && messagesIn(queue.streamName()) == 0);
        DeadLetter letter = dlq.list(10).get(0);
        assertEquals("", letter.function());
        assertEquals(Subjects.legacy(queue.name()), letter.subject());
        assertArrayEquals(noFunction, letter.payload());
    }

    @Test
    void reasonHeadersTakenFromAMalformedMessageAreMadePrintableAndShort() {
        assertEquals("bad ? value ? here", DeadLetterQueue.printable("bad \ud800 value \n here"));
        assertEquals(256, DeadLetterQueue.printable("x".repeat(1000)).length());
    }

    @Test
    void replayingADeadLetterByCallIdPutsItBackAndItRunsAgain() throws Exception {
        JetStreamQueue queue = queue("dlq-replay", true);
        boolean[] healthy = {false};
        http.respond("/function/later", r -> Response.of(healthy[0] ? 200 : 500, "x"));
        worker(queue, 1);
        Invocation first = Invocation.builder("later").queue(queue.name()).build();
        Invocation second = Invocation.builder("later").queue(queue.name()).build();
        queue.enqueue(first).toCompletableFuture().get(5, TimeUnit.SECONDS);
        queue.enqueue(second).toCompletableFuture().get(5, TimeUnit.SECONDS);
        DeadLetterQueue dlq = queue.deadLetters().orElseThrow();
        awaitTrue("both calls are dead letters", () -> messagesIn(dlq.streamName()) == 2);

        healthy[0] = true;
        List<DeadLetter> replayed = dlq.replay(first.callId());

        assertEquals(1, replayed.size());
        awaitTrue("the replayed call ran with its original call id", () -> http.requests("/function/later").stream()
                .anyMatch(r -> r.header("X-Call-Id").orElse("").equals(first.callId()) && healthy[0]
                        && http.requests("/function/later").size() == 3));
        awaitTrue("the work queue is empty again", () -> messagesIn(queue.streamName()) == 0);
        assertEquals(1, dlq.count(), "the other dead letter stays");
        assertEquals(second.callId(), dlq.list(10).get(0).callId());
        assertEquals(1, dlq.purgeAll());
        assertEquals(0, dlq.count());
    }

    @Test
    void withDeadLettersOffAnExhaustedCallIsAckedAndNoDeadLetterStreamExists() throws Exception {
        JetStreamQueue queue = queue("dlq-off", false);
        http.respond("/function/flaky", r -> Response.of(503, "down"));
        worker(queue, 2);
        queue.enqueue(Invocation.builder("flaky").queue(queue.name()).build()).toCompletableFuture().get(5, TimeUnit.SECONDS);

        awaitTrue("both attempts ran", () -> http.requests("/function/flaky").size() == 2);
        awaitTrue("the work queue is empty", () -> messagesIn(queue.streamName()) == 0);
        assertTrue(queue.deadLetters().isEmpty());
        JetStreamApiException missing = assertThrows(JetStreamApiException.class,
                () -> connection.jetStreamManagement().getStreamInfo(DeadLetterQueue.streamName(queue.name())));
        assertEquals(JetStreamQueue.STREAM_NOT_FOUND, missing.getApiErrorCode());
    }

    @Test
    void purgingOneCallsDeadLettersLeavesTheOthers() throws Exception {
        JetStreamQueue queue = queue("dlq-purge", true);
        http.respond("/function/bad", r -> Response.of(500, "no"));
        worker(queue, 1);
        Invocation a = Invocation.builder("bad").queue(queue.name()).build();
        Invocation b = Invocation.builder("bad").queue(queue.name()).build();
        queue.enqueue(a).toCompletableFuture().get(5, TimeUnit.SECONDS);
        queue.enqueue(b).toCompletableFuture().get(5, TimeUnit.SECONDS);
        DeadLetterQueue dlq = queue.deadLetters().orElseThrow();
        awaitTrue("both are dead letters", () -> messagesIn(dlq.streamName()) == 2);

        List<DeadLetter> purged = dlq.purge(a.callId());

        assertEquals(1, purged.size());
        assertEquals(a.callId(), purged.get(0).callId());
        assertEquals(List.of(b.callId()), dlq.list(10).stream().map(DeadLetter::callId).toList());
    }
}
