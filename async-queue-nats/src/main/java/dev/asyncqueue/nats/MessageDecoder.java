package dev.asyncqueue.nats;

import dev.asyncqueue.Delivery;
import io.nats.client.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.UUID;
import java.nio.charset.StandardCharsets;

/**
 * Turns pulled messages into deliveries. One that is not an invocation goes to the dead letters (its
 * work-queue message acked once stored), or is terminated when dead letters are off.
 */
final class MessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(MessageDecoder.class);

    private final String queue;
    private final Optional<DeadLetterQueue> deadLetters;

    MessageDecoder(String queue, Optional<DeadLetterQueue> deadLetters) {
        this.queue = queue;
        this.deadLetters = deadLetters;
    }

    MessageDecoder(JetStreamQueue queue) {
        this(queue.name(), queue.deadLetters());
    }

    /** The delivery, or null when the message was malformed and has been terminated. */
    Delivery decode(Message message) {
        AckReply reply = AckReply.of(message);
        long sequence = reply.streamSequence();
        String msgId = message.getHeaders() == null ? null : message.getHeaders().getFirst("Nats-Msg-Id");
        // Messages without a call id get one derived from their position, stable across redeliveries.
        String fallbackId = msgId != null && !msgId.isBlank() ? msgId
                : UUID.nameUUIDFromBytes((message.metaData().getStream() + "/" + sequence)
                .getBytes(StandardCharsets.UTF_8)).toString();
        try {
            try {
                return new JetStreamDelivery(message, reply,
                        QueueRequestReader.decode(message.getData(), queue, fallbackId), deadLetters);
            } catch (RuntimeException unexpected) {
                // Whatever a message makes the decoder do, it must be set aside, not fail the pull and come back for ever.
                throw new MalformedMessageException("cannot decode: " + unexpected, unexpected);
            }
        } catch (MalformedMessageException e) {
            if (deadLetters.isEmpty()) {
                log.warn("terminated malformed message {} seq {} on {}: {}", message.metaData().getStream(), sequence,
                        message.getSubject(), e.getMessage());
                message.term();
                return null;
            }
            Optional<String> function = Subjects.functionOf(queue, message.getSubject());
            deadLetters.get().store(message, fallbackId, function, Delivery.MALFORMED, 0,
                            (int) reply.delivered(), e.getMessage())
                    .whenComplete((ack, error) -> {
                        if (error == null) {
                            log.warn("dead-lettered malformed message {} seq {} on {}: {}",
                                    message.metaData().getStream(), sequence, message.getSubject(), e.getMessage());
                            message.ack();
                        } else {
                            log.error("cannot dead-letter malformed message {} seq {}, terminating it: {}",
                                    message.metaData().getStream(), sequence, error.toString());
                            message.term();
                        }
                    });
            return null;
        }
    }
}
