package dev.asyncqueue.nats;

import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.PayloadTooLargeException;
import dev.asyncqueue.nats.testing.LocalNatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JetStreamQueueTest extends SharedNatsServerTest {
    @Test
    void createsAWorkQueueStreamNamedAfterTheQueueWithTheLegacyAndFunctionSubjects() throws Exception {
        String name = NatsTestServer.uniqueQueue("create");
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(name).replicas(1).build();

        StreamInfo info = connection.jetStreamManagement().getStreamInfo("OF_" + name);
        StreamConfiguration config = info.getConfiguration();
        assertEquals(RetentionPolicy.WorkQueue, config.getRetentionPolicy());
        assertEquals(StorageType.File, config.getStorageType());
        assertEquals(List.of(name, name + ".fn.*"), config.getSubjects());
        assertEquals(1, config.getReplicas());
        assertEquals("OF_" + name, queue.streamName());
    }

    @Test
    void enqueueCompletesWithTheStreamSequenceOnceStored() throws Exception {
        String name = NatsTestServer.uniqueQueue("enqueue");
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(name).build();

        EnqueueReceipt first = queue.enqueue(Invocation.builder("echo").queue(name).callId("a").build())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        EnqueueReceipt second = queue.enqueue(Invocation.builder("figlet.openfaas-fn").queue(name).callId("b").build())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertEquals(new EnqueueReceipt("a", name, 1, false), first);
        assertEquals(2, second.sequence());
        JetStreamManagement jsm = connection.jetStreamManagement();
        assertEquals(2, jsm.getStreamInfo("OF_" + name).getStreamState().getMsgCount());
        assertEquals("figlet.openfaas-fn", new String(jsm.getMessage("OF_" + name, 2).getData()).replaceAll(
                ".*\"Function\":\"([^\"]+)\".*", "$1"));
        assertEquals(name + ".fn.figlet_2Eopenfaas-fn", jsm.getMessage("OF_" + name, 2).getSubject());
    }

    @Test
    void theSameCallIdEnqueuedTwiceWithinTheWindowIsStoredOnce() throws Exception {
        String name = NatsTestServer.uniqueQueue("dedupe");
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(name).build();
        Invocation invocation = Invocation.builder("echo").queue(name).callId("same-id").build();

        EnqueueReceipt first = queue.enqueue(invocation).toCompletableFuture().get(5, TimeUnit.SECONDS);
        EnqueueReceipt again = queue.enqueue(invocation).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertFalse(first.duplicate());
        assertTrue(again.duplicate());
        assertEquals(first.sequence(), again.sequence());
        assertEquals(1, connection.jetStreamManagement().getStreamInfo("OF_" + name).getStreamState().getMsgCount());
    }

    @Test
    void anInvocationOverTheMessageLimitIsRefusedWithTheLimitAndNothingIsStored() throws Exception {
        String name = NatsTestServer.uniqueQueue("large");
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(name).maxMessageBytes(64 * 1024).build();
        Invocation big = Invocation.builder("echo").queue(name).body(new byte[60 * 1024]).build();

        CompletionException e = assertThrows(CompletionException.class, () -> queue.enqueue(big).toCompletableFuture().join());
        PayloadTooLargeException tooLarge = assertInstanceOf(PayloadTooLargeException.class, e.getCause());
        assertEquals(queue.maxMessageBytes(), tooLarge.limit());
        assertTrue(tooLarge.getMessage().contains(Long.toString(queue.maxMessageBytes())));
        assertEquals(0, connection.jetStreamManagement().getStreamInfo("OF_" + name).getStreamState().getMsgCount());
    }

    @Test
    void anEnqueueTheServerNeverConfirmsFailsAfterThePublishTimeoutInsteadOfHanging() throws Exception {
        try (LocalNatsServer frozen = LocalNatsServer.start();
             Connection conn = NatsTestServer.connect(frozen)) {
            JetStreamQueue queue = JetStreamQueue.builder(conn).queue(NatsTestServer.uniqueQueue("frozen"))
                    .publishTimeout(java.time.Duration.ofMillis(500)).build();
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(frozen.pid())).start();
            assertEquals(0, stop.waitFor());
            try {
                long start = System.nanoTime();
                CompletionException e = assertThrows(CompletionException.class, () -> queue.enqueue(
                        Invocation.builder("echo").queue(queue.name()).build()).toCompletableFuture().join());
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertInstanceOf(dev.asyncqueue.QueueUnavailableException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("no confirmation within"), e.getCause().getMessage());
                assertTrue(tookMs < 5_000, "failed after the 500 ms timeout, not much later: " + tookMs + " ms");
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(frozen.pid())).start().waitFor();
            }
        }
    }

    @Test
    void anExistingStreamThatIsNotAWorkQueueIsRefusedWithAClearMessage() throws Exception {
        String name = NatsTestServer.uniqueQueue("wrongkind");
        connection.jetStreamManagement().addStream(StreamConfiguration.builder().name("OF_" + name)
                .subjects("other-" + name).retentionPolicy(RetentionPolicy.Limits).storageType(StorageType.Memory).build());

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> JetStreamQueue.builder(connection).queue(name).build());
        assertTrue(e.getMessage().contains("WorkQueue"), e.getMessage());
    }
}
