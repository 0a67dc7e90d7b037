package dev.asyncqueue.nats;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Tells a limiter group member that has died from one that is only late. Every member answers on a subject of
 * its own, {@code async-queue.limiters.<bucket>.alive.<member>}, for as long as its connection lives; asking a
 * member that has gone (killed, or cut off from NATS) gets the server's "no responders" at once, since its
 * subscription went with its connection. A member that is alive but slow (a long pause) answers late or not at
 * all, which proves nothing: it stays counted until the time to live.
 *
 * <p>A question and its answer are two small core NATS messages, never stored. Accounts with subject
 * permissions must allow publishing and subscribing on {@code async-queue.limiters.>}.
 */
final class MemberLiveness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MemberLiveness.class);
    private static final int NO_RESPONDERS = 503;
    private static final byte[] EMPTY = new byte[0];

    private final Connection connection;
    private final String prefix;
    private final String replies;
    private final Dispatcher dispatcher;
    private final Consumer<String> gone;

    /** Starts answering for {@code self}; {@code gone} hears of each member asked about that has no connection. */
    MemberLiveness(Connection connection, String bucket, String self, Consumer<String> gone) {
        this.connection = connection;
        this.prefix = "async-queue.limiters." + bucket + ".alive.";
        this.replies = connection.createInbox();
        this.gone = gone;
        this.dispatcher = connection.createDispatcher();
        dispatcher.subscribe(prefix + self, this::answer);
        dispatcher.subscribe(replies + ".*", this::heard);
    }

    /** Asks whether {@code member} still has a connection; {@code gone} is told if it has not. */
    void ask(String member) {
        try {
            connection.publish(prefix + member, replies + "." + member, EMPTY);
        } catch (RuntimeException e) {
            // Not asking only leaves the member to its time to live.
            log.debug("cannot ask whether limiter member {} is alive: {}", member, e.toString());
        }
    }

    private void answer(Message request) {
        String replyTo = request.getReplyTo();
        if (replyTo == null) return;
        try {
            connection.publish(replyTo, EMPTY);
        } catch (RuntimeException e) {
            log.debug("cannot answer a liveness question: {}", e.toString());
        }
    }

    private void heard(Message reply) {
        if (!reply.isStatusMessage() || reply.getStatus().getCode() != NO_RESPONDERS) return;
        String subject = reply.getSubject();
        gone.accept(subject.substring(subject.lastIndexOf('.') + 1));
    }

    /** Stops answering: from now on this member looks gone to whoever asks. */
    @Override
    public void close() {
        try {
            connection.closeDispatcher(dispatcher);
        } catch (RuntimeException e) {
            log.debug("closing the liveness subscription failed: {}", e.toString());
        }
    }
}
