package dev.asyncqueue.nats;

import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.CapturedLog;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.worker.QueueWorker;
import io.nats.client.JetStream;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.impl.NatsMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad messages on the stream, as a buggy or hostile publisher could put them there: each is taken off
 * the queue once with its reason logged (terminated or dead-lettered), never redelivered, and the
 * worker goes on with the next good message.
 */
class MalformedStreamInputTest extends SharedNatsServerTest {

    private QueueWorker worker(JetStreamQueue queue) {
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).timeout(Duration.ofSeconds(10)).build();
        QueueWorker worker = QueueWorker.builder().name(queue.name())
                // A short ack wait: a bad message left unsettled would come back within the test.
                .consumer(StaticConsumerStrategy.builder(queue).ackWait(Duration.ofSeconds(1)).build())
                .invoker(invoker)
                .retryPolicy(new RetryPolicy(2, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(50), Duration.ofMillis(100),
                        Backoff.EXPONENTIAL))
                .maxInflight(20)
                .keepAliveInterval(Duration.ofMillis(300))
                .shutdownGrace(Duration.ofSeconds(2))
                .build();
        toClose.add(invoker);
        toClose.add(worker);
        worker.start();
        return worker;
    }

    /** Publishes raw bytes, as something other than our codec would; half go to the legacy bare subject. */
    private static void publishRaw(JetStreamQueue queue, byte[] payload, boolean legacy) throws Exception {
        JetStream js = connection.jetStream();
        String subject = legacy ? Subjects.legacy(queue.name()) : Subjects.forFunction(queue.name(), "echo");
        js.publish(NatsMessage.builder().subject(subject).data(payload).build());
    }

    private static long messagesIn(JetStreamQueue queue) throws Exception {
        return connection.jetStreamManagement().getStreamInfo(queue.streamName()).getStreamState().getMsgCount();
    }

    private static void awaitEmpty(JetStreamQueue queue, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (messagesIn(queue) > 0) {
            if (System.nanoTime() > deadline) throw new AssertionError(messagesIn(queue) + " messages still in " + queue.streamName());
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static ConsumerInfo consumerInfo(JetStreamQueue queue) throws Exception {
        return connection.jetStreamManagement().getConsumerInfo(queue.streamName(), StaticConsumerStrategy.DEFAULT_CONSUMER);
    }

    @Test
    void eachKindOfBadMessageLeavesTheQueueOnceWithItsReasonAndTheNextGoodOneIsProcessed() throws Exception {
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("bad-kinds")).build();
        queue.ensureStream();
        List<MalformedInput.Sample> samples = MalformedInput.catalogue();
        try (CapturedLog log = CapturedLog.start()) {
            worker(queue);
            int published = 0;
            for (MalformedInput.Sample sample : samples) {
                publishRaw(queue, sample.payload(), published % 2 == 1);
                publishRaw(queue, MalformedInput.good("echo", "after-" + published), false);
                published += 2;
            }

            List<RecordedRequest> calls = http.await("/function/echo", samples.size(), Duration.ofSeconds(20));
            awaitEmpty(queue, Duration.ofSeconds(10));
            // Longer than the 1 s ack wait: anything left unsettled would have been delivered again by now.
            TimeUnit.MILLISECONDS.sleep(1500);

            Set<String> callIds = new HashSet<>();
            calls.forEach(c -> callIds.add(c.header("X-Call-Id").orElseThrow()));
            assertEquals(samples.size(), callIds.size(), "every good message after a bad one was invoked");
            assertEquals(samples.size(), http.requests("/function/").size(), "no bad message reached a function");
            ConsumerInfo info = consumerInfo(queue);
            assertEquals(published, info.getDelivered().getConsumerSequence(), "each message was delivered once: none redelivered");
            assertEquals(0, info.getNumAckPending());
            String logged = log.text();
            for (String reason : List.of("not valid JSON", "Function must be a string", "Function is missing", "base64",
                    "Header has", "nested", "is not a valid function name", "CallbackUrl")) {
                assertTrue(logged.contains(reason), "the reason '" + reason + "' was logged");
            }
        }
    }

    @Test
    void aFuzzerFeedingThousandsOfMalformedMessagesNeverStopsTheWorkerLoop() throws Exception {
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("fuzz")).build();
        queue.ensureStream();
        Random random = new Random(6L); // fixed seed: a failure is reproducible
        Set<String> goodIds = new HashSet<>();
        int published = 0;
        int decodable = 0;
        try (CapturedLog log = CapturedLog.start()) {
            worker(queue);
            for (int i = 0; i < 2000; i++) {
                byte[] payload;
                if (i % 20 == 0) {
                    String id = "good-" + i;
                    goodIds.add(id);
                    payload = MalformedInput.good("echo", id);
                } else {
                    payload = MalformedInput.mutate(random, "fuzz-" + i).payload();
                }
                if (payload.length > 900_000) continue;
                if (isDecodable(payload)) decodable++;
                publishRaw(queue, payload, random.nextBoolean());
                published++;
            }
            String lastId = "last-good";
            publishRaw(queue, MalformedInput.good("echo", lastId), false);
            published++;
            decodable++;

            http.await("/function/", decodable, Duration.ofSeconds(60));
            awaitEmpty(queue, Duration.ofSeconds(20));
            TimeUnit.MILLISECONDS.sleep(1500); // past the ack wait: no redeliveries hide behind an empty stream

            Map<String, Integer> perCall = new HashMap<>();
            for (RecordedRequest r : http.requests("/function/")) perCall.merge(r.header("X-Call-Id").orElse("?"), 1, Integer::sum);
            for (String id : goodIds) assertEquals(1, perCall.getOrDefault(id, 0), "good call " + id + " invoked once");
            assertEquals(1, perCall.getOrDefault(lastId, 0), "the loop was alive after all the bad input");
            assertEquals(decodable, http.requests("/function/").size(), "exactly the decodable messages were invoked");
            assertEquals(published, consumerInfo(queue).getDelivered().getConsumerSequence(), "nothing redelivered");
            String logged = log.text();
            assertFalse(logged.contains("pulling from queue"), "no pull failed because of a message");
            assertFalse(logged.contains("Exception in thread"), "no thread died");
        }
    }

    private static boolean isDecodable(byte[] payload) {
        try {
            QueueRequestReader.decode(payload, "q", "x");
            return true;
        } catch (MalformedMessageException e) {
            return false;
        }
    }
}
