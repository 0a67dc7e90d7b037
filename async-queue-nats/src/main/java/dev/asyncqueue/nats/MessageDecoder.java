package dev.asyncqueue.nats;

import dev.asyncqueue.Delivery;
import io.nats.client.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.nio.charset.StandardCharsets;

/** Turns pulled messages into deliveries, and terminates the ones that are not invocations. */
final class MessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(MessageDecoder.class);

    private final String queue;

    MessageDecoder(String queue) {
        this.queue = queue;
    }

    /** The delivery, or null when the message was malformed and has been terminated. */
    Delivery decode(Message message) {
        long sequence = message.metaData().streamSequence();
        String msgId = message.getHeaders() == null ? null : message.getHeaders().getFirst("Nats-Msg-Id");
        // Messages without a call id get one derived from their position, stable across redeliveries.
        String fallbackId = msgId != null && !msgId.isBlank() ? msgId
                : UUID.nameUUIDFromBytes((message.metaData().getStream() + "/" + sequence)
                .getBytes(StandardCharsets.UTF_8)).toString();
        try {
            return new JetStreamDelivery(message, QueueRequestCodec.decode(message.getData(), queue, fallbackId));
        } catch (MalformedMessageException e) {
            log.warn("terminated malformed message {} seq {} on {}: {}", message.metaData().getStream(), sequence,
                    message.getSubject(), e.getMessage());
            message.term();
            return null;
        }
    }
}
