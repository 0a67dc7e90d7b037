package dev.asyncqueue.nats;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.QueueUnavailableException;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/** One bounded pull: asks for at most {@code max} messages and hands each on as it arrives. */
final class Pulls {
    private Pulls() {
    }

    static int pull(ConsumerContext context, MessageDecoder decoder, int max, Duration maxWait,
                    Consumer<Delivery> sink) throws InterruptedException {
        FetchConsumeOptions.Builder options = FetchConsumeOptions.builder().maxMessages(max);
        if (maxWait.isZero()) {
            options.noWait();
        } else {
            options.expiresIn(Math.max(FetchConsumeOptions.MIN_EXPIRES_MILLS, maxWait.toMillis()));
        }
        int handed = 0;
        try (FetchConsumer fetch = context.fetch(options.build())) {
            Message message;
            while ((message = fetch.nextMessage()) != null) {
                Delivery delivery = decoder.decode(message);
                if (delivery != null) {
                    handed++;
                    sink.accept(delivery);
                }
            }
        } catch (IOException | JetStreamApiException | JetStreamStatusCheckedException e) {
            throw new QueueUnavailableException("pull from " + context.getConsumerName() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof RuntimeException r) throw r;
            throw new QueueUnavailableException("pull from " + context.getConsumerName() + " failed: " + e.getMessage(), e);
        }
        return handed;
    }
}
