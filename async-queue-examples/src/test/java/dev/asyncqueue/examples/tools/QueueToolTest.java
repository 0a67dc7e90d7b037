package dev.asyncqueue.examples.tools;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.nats.DeadLetterQueue;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.nats.Subjects;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue tool as an operator runs it, against a real nats-server. */
class QueueToolTest {
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static LocalNatsServer nats;
    private static Connection connection;

    @BeforeAll
    static void startNats() throws Exception {
        nats = LocalNatsServer.start();
        connection = Nats.connect(nats.url());
    }

    @AfterAll
    static void stopNats() throws Exception {
        connection.close();
        nats.close();
    }

    /** What one run printed and returned. */
    private record Run(int status, String out, String err) {
    }

    private static Run tool(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = QueueTool.run(args, Settings.of(Map.of("nats_url", nats.url())),
                new BufferedReader(new StringReader(input)), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static JetStreamQueue queueWith(String prefix, Map<String, Integer> calls) throws Exception {
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(prefix + "-" + QUEUES.incrementAndGet()).build();
        for (Map.Entry<String, Integer> e : calls.entrySet()) {
            for (int i = 0; i < e.getValue(); i++) {
                queue.enqueue(Invocation.builder(e.getKey()).queue(queue.name()).build())
                        .toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
        }
        return queue;
    }

    private static long stored(String stream) throws Exception {
        return connection.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
    }

    private static void deadLetter(JetStreamQueue queue, String callId, String function) throws Exception {
        Headers h = new Headers();
        h.put(DeadLetterQueue.REASON, "retries_exhausted");
        h.put(DeadLetterQueue.LAST_STATUS, "503");
        h.put(DeadLetterQueue.ATTEMPTS, "10");
        h.put(DeadLetterQueue.CALL_ID, callId);
        h.put(DeadLetterQueue.FUNCTION, function);
        h.put(DeadLetterQueue.SUBJECT, Subjects.forFunction(queue.name(), function));
        byte[] body = ("{\"Function\":\"" + function + "\",\"Method\":\"POST\",\"Header\":{\"X-Call-Id\":[\"" + callId + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        connection.jetStream().publish(queue.name() + ".dlq." + Subjects.encodeToken(function), h, body);
    }

    @Test
    void queuesShowsPendingPerFunctionConsumersAndDeadLetterCounts() throws Exception {
        JetStreamQueue queue = queueWith("show", Map.of("alpha", 2, "beta.ns", 1));
        StaticConsumerStrategy.builder(queue).ackWait(Duration.ofSeconds(30)).build().start();
        deadLetter(queue, "dead-1", "alpha");

        Run run = tool("", "queues");

        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("queue " + queue.name() + " (stream " + queue.streamName() + "): 3 pending"), run.out());
        assertTrue(run.out().contains("function alpha: 2 pending"), run.out());
        assertTrue(run.out().contains("function beta.ns: 1 pending"), run.out());
        assertTrue(run.out().contains("consumer faas-workers: 3 pending, 0 ack pending"), run.out());
        assertTrue(run.out().contains("dead letters (" + queue.streamName() + "_DLQ): 1"), run.out());
    }

    @Test
    void purgingOneFunctionAsksFirstRemovesNothingOnNoAndOnlyThatFunctionOnYes() throws Exception {
        JetStreamQueue queue = queueWith("purge", Map.of("alpha", 2, "beta", 3));

        Run refused = tool("n\n", "purge", queue.name(), "--function", "beta");
        assertEquals(1, refused.status());
        assertTrue(refused.out().contains("Purge the messages of function beta in queue " + queue.name() + " (3 now)? [y/N]"),
                refused.out());
        assertTrue(refused.out().contains("nothing removed"), refused.out());
        assertEquals(5, stored(queue.streamName()));

        Run accepted = tool("y\n", "purge", queue.name(), "--function", "beta");
        assertEquals(0, accepted.status(), accepted.err());
        assertTrue(accepted.out().contains("purged 3 message(s)"), accepted.out());
        assertEquals(2, queue.pending().forFunction("alpha"));
        assertEquals(0, queue.pending().forFunction("beta"));

        Run all = tool("", "purge", queue.name(), "--yes");
        assertTrue(all.out().contains("purged 2 message(s): every message of queue " + queue.name()), all.out());
        assertEquals(0, stored(queue.streamName()));
    }

    @Test
    void resetDeletesTheStreamAndCreatesItAgainEmptyWithTheSameSettings() throws Exception {
        JetStreamQueue queue = queueWith("reset", Map.of("alpha", 4));
        StaticConsumerStrategy.builder(queue).build().start();
        var before = connection.jetStreamManagement().getStreamInfo(queue.streamName()).getConfiguration();

        Run run = tool("", "reset", queue.name(), "--yes");

        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("removed 4 message(s) and 1 consumer(s)"), run.out());
        var after = connection.jetStreamManagement().getStreamInfo(queue.streamName());
        assertEquals(0, after.getStreamState().getMsgCount());
        assertEquals(0, after.getStreamState().getConsumerCount());
        assertEquals(before.getSubjects(), after.getConfiguration().getSubjects());
        assertEquals(before.getRetentionPolicy(), after.getConfiguration().getRetentionPolicy());
    }

    @Test
    void deadLettersAreListedReplayedByCallIdAndPurgedAfterConfirmation() throws Exception {
        JetStreamQueue queue = queueWith("dlq", Map.of());
        deadLetter(queue, "call-a", "alpha");
        deadLetter(queue, "call-b", "beta");
        deadLetter(queue, "call-c", "beta");
        String dlqStream = DeadLetterQueue.streamName(queue.name());

        Run list = tool("", "dlq", "list", queue.name());
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().contains("call call-a  function alpha  retries_exhausted  last status 503  attempts 10"),
                list.out());
        assertEquals(3, list.out().lines().count());

        Run replay = tool("", "dlq", "replay", queue.name(), "call-b");
        assertEquals(0, replay.status(), replay.err());
        assertTrue(replay.out().contains("replayed 1 dead letter(s)"), replay.out());
        assertEquals(1, queue.pending().forFunction("beta"), "back in the work queue");
        assertEquals(2, stored(dlqStream));

        Run refused = tool("no\n", "dlq", "purge", queue.name(), "--all");
        assertEquals(1, refused.status());
        assertEquals(2, stored(dlqStream));

        Run purged = tool("yes\n", "dlq", "purge", queue.name(), "--all");
        assertEquals(0, purged.status(), purged.err());
        assertTrue(purged.out().contains("purged 2 dead letter(s)"), purged.out());
        assertEquals(0, stored(dlqStream));
    }

    @Test
    void aBadCommandLinePrintsUsageAndExitsWith2() {
        Run run = tool("", "dlq", "explode", "q");

        assertEquals(2, run.status());
        assertTrue(run.err().contains("unknown dlq command 'explode'"), run.err());
        assertTrue(run.err().contains("usage: queue-tool"), run.err());
    }
}
