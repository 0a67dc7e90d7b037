package dev.asyncqueue.benchmarks.ingest;

import io.nats.client.JetStream;
import io.nats.client.PublishOptions;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The bare ingest's work: {@code publishAsync} of the body as it came, with a new call id as its
 * {@code Nats-Msg-Id} and the expected stream, as the ingest's queue publishes, minus the invocation's encoding.
 *
 * @param js      the JetStream context of the connection to publish on
 * @param subject the subject of the function's calls
 * @param stream  the stream expected to store them
 */
public record JetStreamPublish(JetStream js, String subject, String stream) implements BareServer.Action {
    @Override
    public CompletableFuture<?> apply(byte[] body) {
        PublishOptions options = PublishOptions.builder().messageId(UUID.randomUUID().toString())
                .expectedStream(stream).build();
        return js.publishAsync(subject, null, body, options).thenApply(ack -> {
            if (ack.hasError()) throw new IllegalStateException(ack.getError());
            return ack;
        });
    }
}
