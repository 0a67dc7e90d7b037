package dev.asyncqueue.nats;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.nats.testing.LocalNatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long-lived pull subscription against a real nats-server. The server gets its own process here because
 * two tests freeze it (SIGSTOP) to make the server see a pull request only after the client stopped waiting:
 * what a busy machine does now and then, and what would otherwise make messages wait out {@code ack_wait}.
 */
class PullSessionTest {
    private static LocalNatsServer server;
    private static Connection connection;
    private static Connection publisher;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = LocalNatsServer.start();
        connection = NatsTestServer.connect(server);
        publisher = NatsTestServer.connect(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (publisher != null) publisher.close();
        if (connection != null) connection.close();
        if (server != null) server.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        resume(); // a failed test must not leave the server frozen for the next
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    @Test
    void aMessageTheServerSendsAfterTheFetchGaveUpWaitingIsHandedOverByTheNextFetchNotAfterAckWait() throws Exception {
        JetStreamQueue queue = queue();
        PullSession session = session(queue, "late", Duration.ofSeconds(30));

        freeze();
        // The request waits in the socket; the client's wait ends before the server has even read it.
        assertEquals(0, session.fetch(1, Duration.ofMillis(300), d -> { }));
        publisher.publish(Subjects.forFunction(queue.name(), "echo"), encoded("late-1"));
        publisher.flushBuffer();
        resume();

        List<Delivery> got = new ArrayList<>();
        long t0 = System.nanoTime();
        session.fetch(1, Duration.ofSeconds(5), got::add);
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(1, got.size(), "the late message is kept for the next fetch");
        assertEquals("late-1", got.get(0).invocation().callId());
        assertEquals(1, got.get(0).attempt(), "first delivery, not a redelivery after ack_wait");
        assertTrue(tookMillis < 5_000, "handed over in " + tookMillis + " ms");
        got.get(0).ack();
    }

    @Test
    void aLateMessageThatWaitsLongerThanAckWaitIsKeptAliveAndHandedOverOnceNotAlsoRedelivered() throws Exception {
        JetStreamQueue queue = queue();
        PullSession session = session(queue, "kept", Duration.ofSeconds(1));

        freeze();
        assertEquals(0, session.fetch(2, Duration.ofMillis(300), d -> { }));
        publisher.publish(Subjects.forFunction(queue.name(), "echo"), encoded("kept-1"));
        publisher.flushBuffer();
        resume();
        // The server now sends the message to the inbox, for a request the session no longer counts on.
        awaitTrue("the server delivered the late message", () -> consumer(queue, "kept").getDelivered().getConsumerSequence() == 1);
        // A busy worker fetches nothing for longer than twice the ack wait; nothing else can stand in for waiting.
        TimeUnit.MILLISECONDS.sleep(2_500);

        List<Delivery> got = new ArrayList<>();
        // Room for a redelivered copy, were there one; without waiting, as the deliveries handed over are not kept
        // alive here the way a worker keeps its calls alive.
        session.fetch(2, Duration.ZERO, got::add);

        assertEquals(List.of("kept-1"), got.stream().map(d -> d.invocation().callId()).toList(),
                "handed over once, not again as a redelivery");
        assertEquals(1, got.get(0).attempt());
        got.get(0).ack();
        assertEquals(0, consumer(queue, "kept").getRedelivered(), "the server never redelivered it");
    }

    @Test
    void closingGivesBackAtOnceTheLateMessagesItWasKeepingAlive() throws Exception {
        JetStreamQueue queue = queue();
        PullSession session = session(queue, "given-back", Duration.ofSeconds(30));

        freeze();
        assertEquals(0, session.fetch(1, Duration.ofMillis(300), d -> { }));
        publisher.publish(Subjects.forFunction(queue.name(), "echo"), encoded("back-1"));
        publisher.flushBuffer();
        resume();
        awaitTrue("the late message reached the inbox", () -> session.inInbox() > 0);
        session.close();

        PullSession next = session(queue, "given-back", Duration.ofSeconds(30));
        List<Delivery> got = new ArrayList<>();
        long t0 = System.nanoTime();
        next.fetch(1, Duration.ofSeconds(5), got::add);

        assertEquals(1, got.size(), "given back, and delivered again");
        assertEquals(2, got.get(0).attempt());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "at once, not after the 30 s ack wait");
    }

    @Test
    void eachStrategyStopsTheThreadThatKeepsItsInboxesAliveWhenItCloses() throws Exception {
        JetStreamQueue staticQueue = queue();
        JetStreamQueue functionQueue = queue();
        Map<JetStreamQueue, ConsumerStrategy> strategies = Map.of(
                staticQueue, StaticConsumerStrategy.builder(staticQueue).build(),
                functionQueue, FunctionConsumerStrategy.builder(functionQueue).build());
        for (Map.Entry<JetStreamQueue, ConsumerStrategy> e : strategies.entrySet()) {
            String prefix = "async-queue-inbox-" + e.getKey().streamName() + "-";
            store(e.getKey(), "t-", 1); // work, so function mode opens a source (its thread starts with the first)
            e.getValue().start();
            assertEquals(1, e.getValue().sources().size());
            assertEquals(1, threadsNamed(prefix), "one thread per strategy");
            e.getValue().close();
            awaitTrue("the thread of " + prefix + " stopped", () -> threadsNamed(prefix) == 0);
        }
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    @Test
    void lateMessagesCountAgainstWhatTheNextFetchMayHandOver() throws Exception {
        JetStreamQueue queue = queue();
        store(queue, "m-", 3);
        PullSession session = session(queue, "counted", Duration.ofSeconds(30));

        freeze();
        assertEquals(0, session.fetch(3, Duration.ofMillis(300), d -> { }));
        resume();

        List<Delivery> first = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (first.size() < 2 && System.nanoTime() < deadline) {
            int before = first.size();
            int handed = session.fetch(2 - before, Duration.ofSeconds(2), first::add);
            assertEquals(first.size() - before, handed);
            assertTrue(first.size() <= 2, "never more than asked");
        }
        assertEquals(2, first.size());
        List<Delivery> second = new ArrayList<>();
        assertEquals(1, session.fetch(5, Duration.ofMillis(300), second::add), "the third, and nothing asked twice");
        assertEquals("m-3", second.get(0).invocation().callId());
        assertTrue(first.stream().allMatch(d -> d.attempt() == 1) && second.get(0).attempt() == 1);
    }

    @Test
    void aLongPollHandsEachMessageOverAsItArrivesNotWhenItsBatchEnds() throws Exception {
        JetStreamQueue queue = queue();
        store(queue, "f-", 3);
        PullSession session = session(queue, "streaming", Duration.ofSeconds(30));

        List<Long> handedAtMillis = new ArrayList<>();
        long t0 = System.nanoTime();
        int handed = session.fetch(50, Duration.ofSeconds(2), d -> {
            handedAtMillis.add((System.nanoTime() - t0) / 1_000_000);
            d.ack();
        });
        long returnedAtMillis = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(3, handed);
        assertTrue(returnedAtMillis >= 1_500, "the 50-message request waited for more until it expired: " + returnedAtMillis);
        assertTrue(handedAtMillis.get(2) < 1_000, "the worker could start all three at once: " + handedAtMillis);
    }

    @Test
    void noWaitFetchesTakeWhatIsReadyAndReturnAtOnceWhenNothingIs() throws Exception {
        JetStreamQueue queue = queue();
        store(queue, "n-", 5);
        PullSession session = session(queue, "nowait", Duration.ofSeconds(30));

        List<Delivery> got = new ArrayList<>();
        assertEquals(3, session.fetch(3, Duration.ZERO, got::add));
        assertEquals(2, session.fetch(10, Duration.ZERO, got::add), "a partly filled no-wait request ends with 408");
        long t0 = System.nanoTime();
        assertEquals(0, session.fetch(10, Duration.ZERO, got::add), "an empty one ends with 404");
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(900), "without waiting out the answer budget");
        assertEquals(List.of("n-1", "n-2", "n-3", "n-4", "n-5"), got.stream().map(d -> d.invocation().callId()).toList());
    }

    @Test
    void aFetchForMoreThanTheConsumersMaxAckPendingStillGetsMessages() throws Exception {
        JetStreamQueue queue = queue();
        store(queue, "p-", 5);
        connection.jetStreamManagement().addOrUpdateConsumer(queue.streamName(), ConsumerConfiguration.builder()
                .durable("bounded").ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofSeconds(30)).maxAckPending(2).build());
        InboxKeepAlive keepAlive = new InboxKeepAlive("bounded", Duration.ofSeconds(30));
        toClose.add(keepAlive);
        PullSession session = new PullSession(connection, queue.streamName(), "bounded",
                new MessageDecoder(queue.name(), Optional.empty()), keepAlive, 2);
        toClose.add(session);

        // The server refuses a request for more than max_ack_pending whole: each must ask for at most that many.
        List<Delivery> got = new ArrayList<>();
        assertEquals(2, session.fetch(5, Duration.ZERO, d -> {
            got.add(d);
            d.ack();
        }));
        assertEquals(List.of("p-1", "p-2"), got.stream().map(d -> d.invocation().callId()).toList());
    }

    @Test
    void aDeletedConsumerIsReportedAsGone() throws Exception {
        JetStreamQueue queue = queue();
        PullSession session = session(queue, "doomed", Duration.ofSeconds(30));
        connection.jetStreamManagement().deleteConsumer(queue.streamName(), "doomed");

        assertThrows(PullSession.ConsumerGoneException.class, () -> session.fetch(1, Duration.ZERO, d -> { }));
    }

    private static ConsumerInfo consumer(JetStreamQueue queue, String name) {
        try {
            return connection.jetStreamManagement().getConsumerInfo(queue.streamName(), name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private JetStreamQueue queue() {
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("pull"))
                .deadLetters(false).build();
        queue.ensureStream();
        return queue;
    }

    private PullSession session(JetStreamQueue queue, String consumer, Duration ackWait) throws Exception {
        JetStreamManagement jsm = connection.jetStreamManagement();
        jsm.addOrUpdateConsumer(queue.streamName(), ConsumerConfiguration.builder().durable(consumer)
                .ackPolicy(AckPolicy.Explicit).ackWait(ackWait).build());
        InboxKeepAlive keepAlive = new InboxKeepAlive(consumer, ackWait);
        toClose.add(keepAlive);
        PullSession session = new PullSession(connection, queue.streamName(), consumer,
                new MessageDecoder(queue.name(), Optional.empty()), keepAlive);
        toClose.add(session);
        return session;
    }

    /** Stores calls {@code prefix1} to {@code prefixN} and waits until the server has them. */
    private static void store(JetStreamQueue queue, String prefix, int n) throws Exception {
        for (int i = 1; i <= n; i++) {
            publisher.publish(Subjects.forFunction(queue.name(), "echo"), encoded(prefix + i));
        }
        publisher.flush(Duration.ofSeconds(5));
    }

    private static byte[] encoded(String callId) {
        return QueueRequestWriter.encode(Invocation.builder("echo").callId(callId).build());
    }

    private static void freeze() throws Exception {
        signal("-STOP");
        // kill returns once the signal is sent; the test must not go on until the server has really stopped.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!processState().equals("T")) {
            if (System.nanoTime() > deadline) throw new AssertionError("nats-server did not stop: " + processState());
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /** The state letter of the server process in /proc (T: stopped). */
    private static String processState() throws Exception {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(server.pid()), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    private static void resume() throws Exception {
        signal("-CONT");
    }

    private static void signal(String which) throws Exception {
        Process kill = new ProcessBuilder("kill", which, Long.toString(server.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill " + which);
    }
}
