package dev.asyncqueue.nats;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import io.nats.client.Message;

import java.time.Duration;

/** A delivery backed by a JetStream message: keep-alive is {@code +WPI}, retry a NAK with delay, reject {@code +TERM}. */
final class JetStreamDelivery implements Delivery {
    private final Message message;
    private final Invocation invocation;
    private final int attempt;
    private final long sequence;

    JetStreamDelivery(Message message, Invocation invocation) {
        this.message = message;
        this.invocation = invocation;
        this.attempt = (int) Math.min(Integer.MAX_VALUE, message.metaData().deliveredCount());
        this.sequence = message.metaData().streamSequence();
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

    @Override
    public void reject(String reason) {
        message.term();
    }
}
