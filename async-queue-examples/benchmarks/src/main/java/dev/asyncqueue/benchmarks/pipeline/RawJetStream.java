package dev.asyncqueue.benchmarks.pipeline;

import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The floor: what a bare jnats client does, with no library code in the loop. Publishes pre-encoded
 * messages with a bounded window of outstanding acks, and drains a consumer with jnats' own pull loops.
 */
final class RawJetStream {
    private RawJetStream() {
    }

    /**
     * Publishes {@code data.get(i)} to {@code subject} with {@code Nats-Msg-Id} {@code ids.get(i)} and the expected
     * stream set (the headers {@code JetStreamQueue.enqueue} sends), at most {@code window} unacknowledged; returns
     * once every message is stored.
     */
    static void publish(JetStream js, String subject, String stream, List<byte[]> data, List<String> ids, int window)
            throws InterruptedException {
        Semaphore outstanding = new Semaphore(window);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < data.size(); i++) {
            outstanding.acquire();
            PublishOptions options = PublishOptions.builder().messageId(ids.get(i)).expectedStream(stream).build();
            CompletableFuture<PublishAck> ack = js.publishAsync(subject, null, data.get(i), options);
            ack.whenComplete((a, e) -> {
                if (e != null) failure.compareAndSet(null, e);
                else if (a.hasError()) failure.compareAndSet(null, new IllegalStateException(a.getError()));
                outstanding.release();
            });
        }
        outstanding.acquire(window);
        outstanding.release(window);
        if (failure.get() != null) throw new IllegalStateException("raw publish failed", failure.get());
    }

    /**
     * Pulls batches of at most {@code batch} through one long-lived pull subscription and acks each message as
     * it arrives, until {@code count} were acked.
     */
    static void drain(JetStreamSubscription subscription, long count, int batch) {
        long acked = 0;
        while (acked < count) {
            Iterator<Message> messages = subscription.iterate((int) Math.min(batch, count - acked), Duration.ofSeconds(1));
            while (messages.hasNext()) {
                messages.next().ack();
                acked++;
            }
        }
    }

    /**
     * Drains {@code count} messages with jnats' {@code ConsumerContext.consume}: batches of {@code batch} pulled
     * ahead (the next request goes out while a quarter of the batch is still to come), each message acked
     * ({@code ack()}, not {@code ackSync}) on jnats' dispatcher thread, nothing read. Returns once {@code count}
     * were acked.
     */
    static void consume(ConsumerContext consumer, int count, int batch) throws Exception {
        CountDownLatch acked = new CountDownLatch(count);
        try (MessageConsumer running = consumer.consume(ConsumeOptions.builder().batchSize(batch).build(), m -> {
            m.ack();
            acked.countDown();
        })) {
            if (!acked.await(10, TimeUnit.MINUTES)) throw new TimeoutException("raw consume did not drain " + count);
            running.stop();
        }
    }
}
