package dev.asyncqueue.nats;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import io.nats.client.Message;

import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A delivery backed by a JetStream message: keep-alive is {@code +WPI}, retry a NAK with delay, reject
 * {@code +TERM}, dead-letter a copy to {@code OF_<queue>_DLQ} followed by the ack.
 */
final class JetStreamDelivery implements Delivery {
    private static final Logger log = LoggerFactory.getLogger(JetStreamDelivery.class);
    private final Message message;
    private final Invocation invocation;
    private final int attempt;
    private final long sequence;
    private final Optional<DeadLetterQueue> deadLetters;

    JetStreamDelivery(Message message, AckReply reply, Invocation invocation, Optional<DeadLetterQueue> deadLetters) {
        this.message = message;
        this.invocation = invocation;
        this.deadLetters = deadLetters;
        this.attempt = (int) Math.min(Integer.MAX_VALUE, reply.delivered());
        this.sequence = reply.streamSequence();
    }

    @Override
    public Invocation invocation() {
        return invocation;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public String position() {
        return message.metaData().getStream() + " seq " + sequence;
    }

    @Override
    public void keepAlive() {
        message.inProgress();
    }

    @Override
    public void ack() {
        message.ack();
    }

    @Override
    public void retryAfter(Duration delay) {
        if (delay.isZero()) {
            message.nak();
        } else {
            message.nakWithDelay(delay);
        }
    }

    /**
     * The ack follows the store, so a crash in between leaves the message in the work queue (at worst it
     * is dead-lettered twice). A store that fails terminates the message rather than invoking it again.
     */
    @Override
    public void deadLetter(String reason, int lastStatus, int attempts) {
        if (deadLetters.isEmpty()) {
            message.ack();
            return;
        }
        deadLetters.get().store(message, invocation.callId(), Optional.of(invocation.function()), reason, lastStatus,
                attempts, "").whenComplete((ack, error) -> {
                    if (error == null) {
                        message.ack();
                    } else {
                        log.error("cannot dead-letter call {} ({}), terminating it: {}", invocation.callId(),
                                position(), error.toString());
                        message.term();
                    }
                });
    }
}
