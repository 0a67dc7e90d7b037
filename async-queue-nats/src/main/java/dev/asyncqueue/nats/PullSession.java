package dev.asyncqueue.nats;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.QueueUnavailableException;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.PullRequestOptions;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.support.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Pulls from one durable consumer through a single subscription that lives as long as the source.
 *
 * <p>jnats' {@code ConsumerContext.fetch} subscribes for each pull and unsubscribes when its own timer ends.
 * On a busy machine that timer can end before the server's copy of the request expires; a message the
 * server sends in between goes to no one and comes back only after {@code ack_wait}, a stall of the whole
 * pull. Here the subscription stays, so such a message waits for the next fetch, and no pull pays for a SUB
 * and an UNSUB.
 *
 * <p>The server ends each request with a status: {@code 404} (no messages for a no-wait request) or
 * {@code 408} (expired, with {@code Nats-Pending-Messages} saying how many it did not fill), or silently once
 * its batch is full. Counting messages asked for against those arriving or cancelled tells how many may still
 * come, so the session never asks for more than the worker can start. Nor does one request ask for more than
 * the consumer's {@code max_ack_pending}: the server refuses such a request whole ({@code 409 Exceeded
 * MaxAckPending}), so a worker with more free slots than that would never get a message. Only the dispatcher thread calls
 * {@link #fetch}; {@link #close} may come from another.
 *
 * <p>When a busy server answers a request after the fetch stopped waiting for it, the messages it sends sit in
 * the inbox beyond any batch until a fetch with room takes them, which a worker with no free slot may not do for
 * longer than {@code ack_wait}. They are kept alive meanwhile ({@link InboxKeepAlive}), not NAKed: a NAK counts as
 * a delivery, so the call would come back as a retry it never had, and it would go to the back of the queue
 * although it was next.
 */
final class PullSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PullSession.class);
    private static final String NEXT = "$JS.API.CONSUMER.MSG.NEXT.";
    private static final String PENDING_MESSAGES = "Nats-Pending-Messages";
    private static final Duration NOW = Duration.ofNanos(1);

    private final Connection connection;
    private final String stream;
    private final String consumer;
    private final String nextSubject;
    private final String inbox;
    private final Subscription subscription;
    private final MessageDecoder decoder;
    /** The most one request asks for: the consumer's {@code max_ack_pending}, or unbounded. */
    private final int maxBatch;
    /** Held by a fetch, by the keep-alive and by close, so the inbox is read by one at a time. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Messages and statuses the keep-alive took out of the subscription, in order; read before it. */
    private final ArrayDeque<Message> waiting = new ArrayDeque<>();
    private final ScheduledFuture<?> keeping;
    /** Messages asked for that have neither arrived nor been cancelled by a status. */
    private int outstanding;

    PullSession(Connection connection, String stream, String consumer, MessageDecoder decoder, InboxKeepAlive keepAlive) {
        this(connection, stream, consumer, decoder, keepAlive, -1);
    }

    /** A session whose requests ask for at most {@code maxAckPending} messages each ({@code -1}: no bound). */
    PullSession(Connection connection, String stream, String consumer, MessageDecoder decoder, InboxKeepAlive keepAlive,
                long maxAckPending) {
        this.maxBatch = maxAckPending > 0 ? (int) Math.min(Integer.MAX_VALUE, maxAckPending) : Integer.MAX_VALUE;
        this.connection = connection;
        this.stream = stream;
        this.consumer = consumer;
        this.nextSubject = NEXT + stream + "." + consumer;
        this.inbox = connection.createInbox();
        this.subscription = connection.subscribe(inbox);
        this.decoder = decoder;
        this.keeping = keepAlive.every(this::keepWaitingAlive);
    }

    /**
     * Hands at most {@code max} deliveries to {@code sink} as they arrive: first any that arrived since the last
     * fetch, then from a request for the rest ({@code max} covers what earlier requests may still bring). Returns
     * once {@code max} were handed over, the requests ended, or {@code maxWait} (zero: a no-wait request) and a
     * little more passed.
     *
     * <p>It does not return early to top the request up as slots free: that sends more requests for the same
     * messages and costs the server more than one request per fetch.
     *
     * @throws ConsumerGoneException when the server says the consumer does not exist (any more)
     */
    int fetch(int max, Duration maxWait, Consumer<Delivery> sink) throws InterruptedException {
        int[] handed = {0};
        lock.lock();
        try {
            // What arrived after the previous fetch returned comes first, and counts against max.
            while (handed[0] < max && take(NOW, sink, handed)) {
                // keep taking
            }
            if (handed[0] == max) return max;
            int ask = Math.min(max - handed[0] - outstanding, maxBatch);
            if (ask > 0) request(ask, maxWait);
            boolean heard = false;
            long deadline = System.nanoTime() + answerWithin(maxWait).toNanos();
            // Until the batch is full or every request has ended: messages and statuses arrive in order.
            while (handed[0] < max && outstanding > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                heard |= take(Duration.ofNanos(left), sink, handed);
            }
            if (outstanding > 0 && handed[0] < max) {
                // The server answers every request it gets, unless the consumer is gone: it then says nothing at all.
                if (!heard) ensureConsumerExists();
                // Every request should have ended by now. What is still counted was lost (a restarted server
                // forgets open requests) or is late (a busy one): either way it must not hold back the next
                // request, or each fetch would wait out its deadline for messages that never come. A late
                // message still arrives on this subscription and goes to the next fetch, within its max; the
                // keep-alive keeps it until then.
                log.debug("{} of what {} asked for neither came nor was cancelled in time; asking afresh",
                        outstanding, consumer);
                outstanding = 0;
            }
            return handed[0];
        } catch (IllegalStateException closed) {
            throw new QueueUnavailableException("pull from " + consumer + " stopped: " + closed.getMessage(), closed);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends an in-progress ack for each message waiting in the inbox, taking them out of the subscription to do so.
     * Skipped while a fetch runs: it is taking them itself.
     */
    private void keepWaitingAlive() {
        if (!lock.tryLock()) return;
        try {
            Message message;
            while ((message = subscription.nextMessage(NOW)) != null) waiting.add(message);
            int kept = 0;
            for (Message m : waiting) {
                if (m.isJetStream()) {
                    m.inProgress();
                    kept++;
                }
            }
            if (kept > 0) log.debug("kept {} message(s) alive in {}'s inbox until a fetch takes them", kept, consumer);
        } catch (IllegalStateException closed) {
            // the connection or the subscription is closed: close() gives back what is here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Messages and statuses that reached the inbox and no fetch has taken yet. */
    int inInbox() {
        lock.lock();
        try {
            return waiting.size() + (int) subscription.getPendingMessageCount();
        } finally {
            lock.unlock();
        }
    }

    /** The next message the keep-alive set aside, else the next from the subscription within {@code wait}. */
    private Message next(Duration wait) throws InterruptedException {
        Message message = waiting.poll();
        return message != null ? message : subscription.nextMessage(wait);
    }

    /**
     * How long a fetch waits for its requests to end: a no-wait request is answered at once, a long poll when it
     * expires; the margin covers a busy server. What a request brings later is not lost: it goes to the next
     * fetch.
     */
    static Duration answerWithin(Duration maxWait) {
        if (maxWait.isZero()) return Duration.ofSeconds(1);
        return maxWait.plus(Duration.ofMillis(Math.min(maxWait.toMillis() / 10 + 50, 1_000)));
    }

    private void ensureConsumerExists() {
        try {
            connection.jetStreamManagement().getConsumerInfo(stream, consumer);
        } catch (JetStreamApiException e) {
            if (e.getErrorCode() == 404) {
                outstanding = 0;
                throw new ConsumerGoneException(consumer + " does not exist on " + stream + ": " + e.getMessage());
            }
            log.debug("cannot check consumer {}: {}", consumer, e.getMessage());
        } catch (IOException e) {
            log.debug("cannot check consumer {}: {}", consumer, e.getMessage());
        }
    }

    private void request(int batch, Duration maxWait) {
        PullRequestOptions.Builder options = PullRequestOptions.builder(batch);
        if (maxWait.isZero()) {
            options.noWait();
        } else {
            options.expiresIn(maxWait);
        }
        connection.publish(nextSubject, inbox, options.build().serialize());
        outstanding += batch;
    }

    /** Waits up to {@code wait} for one message; a delivery goes to the sink. False when nothing came. */
    private boolean take(Duration wait, Consumer<Delivery> sink, int[] handed) throws InterruptedException {
        Message message = next(wait);
        if (message == null) return false;
        if (message.isStatusMessage()) {
            ended(message.getStatus(), message.getHeaders());
            return true;
        }
        if (!message.isJetStream()) {
            log.debug("ignoring a message on {}'s inbox that is not a JetStream delivery", consumer);
            return true;
        }
        if (outstanding > 0) outstanding--;
        Delivery delivery = decoder.decode(message);
        if (delivery != null) {
            handed[0]++;
            sink.accept(delivery);
        }
        return true;
    }

    private void ended(Status status, Headers headers) {
        switch (status.getCode()) {
            // 404: nothing to deliver now, and a session is either no-wait or long-polling, never both, so
            // nothing it asked for is coming. 408: the header says how much of that request was not filled.
            case 404, 408 -> cancel(pending(headers, outstanding));
            case 100 -> {
                // An idle heartbeat; not asked for, harmless.
            }
            case 503 -> throw new ConsumerGoneException(consumer + ": no responders (the consumer does not exist)");
            default -> {
                if (status.getMessage() != null && status.getMessage().toLowerCase().contains("consumer deleted")) {
                    throw new ConsumerGoneException(consumer + ": " + status.getMessage());
                }
                // e.g. 409 Exceeded MaxWaiting: the request is gone, how much of it is not said.
                log.debug("pull on {} ended with {} {}", consumer, status.getCode(), status.getMessage());
                outstanding = 0;
            }
        }
    }

    private static int pending(Headers headers, int otherwise) {
        String value = headers == null ? null : headers.getFirst(PENDING_MESSAGES);
        if (value == null) return otherwise;
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private void cancel(int messages) {
        outstanding = Math.max(0, outstanding - messages);
    }

    /**
     * Stops pulling. Messages already here are given back at once (a NAK) rather than left to come back after
     * {@code ack_wait}; one the server sends after this, for a request still open, does come back only then.
     */
    @Override
    public void close() {
        if (keeping != null) keeping.cancel(false);
        lock.lock();
        try {
            Message message;
            while ((message = next(NOW)) != null) {
                if (message.isJetStream()) message.nak();
            }
            subscription.unsubscribe();
        } catch (IllegalStateException | InterruptedException closed) {
            if (closed instanceof InterruptedException) Thread.currentThread().interrupt();
            // the connection or the subscription is closed already: nothing to give back
        } finally {
            lock.unlock();
        }
    }

    /** The server no longer has this session's consumer (deleted for inactivity, or by hand). */
    static final class ConsumerGoneException extends QueueUnavailableException {
        ConsumerGoneException(String message) {
            super(message, null);
        }
    }
}
