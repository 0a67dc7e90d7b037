package dev.asyncqueue.nats;

import dev.asyncqueue.QueueUnavailableException;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A queue's dead letters: the stream {@code OF_<queue>_DLQ} (limits retention, kept for {@code maxAge}),
 * subjects {@code <queue>.dlq.<function token>} ({@code <queue>.dlq._} when the function is unknown).
 * Each dead letter is the original message body unchanged, with headers saying why
 * ({@value #REASON}, {@value #LAST_STATUS}, {@value #ATTEMPTS}, ...). The work-queue message is acked
 * only once the dead letter is stored. Dead letters can be listed, replayed into the work queue (one by
 * call id, or all) and purged.
 *
 * <p>The name cannot clash silently: a queue literally named {@code <q>_DLQ} would own the stream
 * {@code OF_<q>_DLQ} with work-queue retention, which this class refuses to use (and vice versa).
 */
public final class DeadLetterQueue {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterQueue.class);
    /** Header: why the message was dead-lettered ({@code retries_exhausted}, {@code malformed}). */
    public static final String REASON = "X-Dead-Letter-Reason";
    /** Header: the last status the function answered. */
    public static final String LAST_STATUS = "X-Dead-Letter-Last-Status";
    /** Header: attempts made. */
    public static final String ATTEMPTS = "X-Dead-Letter-Attempts";
    /** Header: the call id. */
    public static final String CALL_ID = "X-Dead-Letter-Call-Id";
    /** Header: the function. */
    public static final String FUNCTION = "X-Dead-Letter-Function";
    /** Header: more about the reason. */
    public static final String DETAIL = "X-Dead-Letter-Detail";
    /** Header: the work-queue subject the message came from. */
    public static final String SUBJECT = "X-Dead-Letter-Subject";
    /** Header: when it was dead-lettered (ISO-8601). */
    public static final String TIME = "X-Dead-Letter-Time";
    /** Token standing for "function unknown"; {@link Subjects#encodeToken} never yields a bare underscore. */
    private static final String UNKNOWN_FUNCTION_TOKEN = "_";
    private static final int NO_MESSAGE_FOUND = 10037;

    private final Connection connection;
    private final String queue;
    private final String streamName;
    private final StorageType storage;
    private final int replicas;
    private final Duration maxAge;
    private final JetStream jetStream;
    private volatile Observer observer = (q, reason) -> { };

    /** Hears each dead letter stored, e.g. to count them. */
    @FunctionalInterface
    public interface Observer {
        /** A dead letter for {@code queue} was stored for {@code reason}. */
        void stored(String queue, String reason);
    }

    DeadLetterQueue(Connection connection, String queue, StorageType storage, int replicas, Duration maxAge) {
        this.connection = connection;
        this.queue = queue;
        this.streamName = streamName(queue);
        this.storage = storage;
        this.replicas = replicas;
        this.maxAge = maxAge;
        try {
            this.jetStream = connection.jetStream();
        } catch (IOException e) {
            throw new QueueUnavailableException("JetStream is not available: " + e.getMessage(), e);
        }
    }

    /** The dead letters of {@code queue} on {@code connection}, without creating anything (for tools). */
    public static DeadLetterQueue open(Connection connection, String queue) {
        return new DeadLetterQueue(connection, queue, StorageType.File, 1, Duration.ZERO);
    }

    /** {@code OF_<queue>_DLQ} */
    public static String streamName(String queue) {
        return Subjects.streamName(queue) + "_DLQ";
    }

    /** The dead-letter stream's name. */
    public String streamName() {
        return streamName;
    }

    /** Who hears each stored dead letter (one observer; the metrics binding uses it). */
    public void observer(Observer observer) {
        this.observer = observer == null ? (q, reason) -> { } : observer;
    }

    /** Creates the stream when absent; refuses a stream of the same name with work-queue retention. */
    public void ensureStream() {
        try {
            JetStreamManagement jsm = connection.jetStreamManagement();
            try {
                StreamInfo info = jsm.getStreamInfo(streamName);
                if (info.getConfiguration().getRetentionPolicy() == RetentionPolicy.WorkQueue) {
                    throw new IllegalStateException("stream " + streamName + " is a work queue (a queue named "
                            + queue + "_DLQ?), not the dead letters of queue " + queue);
                }
                return;
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != JetStreamQueue.STREAM_NOT_FOUND) throw e;
            }
            jsm.addStream(StreamConfiguration.builder()
                    .name(streamName)
                    .subjects(queue + ".dlq.*")
                    .retentionPolicy(RetentionPolicy.Limits)
                    .storageType(storage)
                    .replicas(replicas)
                    .maxAge(maxAge)
                    .build());
            log.info("created dead-letter stream {} (kept {})", streamName, maxAge.isZero() ? "for ever" : maxAge);
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot set up stream " + streamName + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores {@code original}'s body unchanged with the reason headers; completes once stored.
     *
     * @param function empty when unknown
     */
    CompletableFuture<PublishAck> store(Message original, String callId, Optional<String> function, String reason,
                                        int lastStatus, int attempts, String detail) {
        try {
            Headers headers = new Headers();
            headers.put(REASON, printable(reason));
            headers.put(LAST_STATUS, Integer.toString(lastStatus));
            headers.put(ATTEMPTS, Integer.toString(attempts));
            headers.put(CALL_ID, printable(callId));
            function.ifPresent(f -> headers.put(FUNCTION, printable(f)));
            if (!detail.isEmpty()) headers.put(DETAIL, printable(detail));
            headers.put(SUBJECT, original.getSubject());
            headers.put(TIME, Instant.now().toString());
            String subject = queue + ".dlq." + function.map(Subjects::encodeToken).orElse(UNKNOWN_FUNCTION_TOKEN);
            return jetStream.publishAsync(subject, headers, original.getData(),
                            PublishOptions.builder().expectedStream(streamName).build())
                    .thenApply(ack -> {
                        observer.stored(queue, reason);
                        return ack;
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Header values must be printable ASCII; whatever came from a malformed message is made so, and cut short. */
    static String printable(String value) {
        String cut = value.length() > 256 ? value.substring(0, 253) + "..." : value;
        StringBuilder sb = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    /** Every dead letter, oldest first, at most {@code limit}. */
    public List<DeadLetter> list(int limit) {
        return find(d -> true, limit);
    }

    /** The dead letters of one call (normally one). */
    public List<DeadLetter> find(String callId) {
        return find(d -> d.callId().equals(callId), Integer.MAX_VALUE);
    }

    private List<DeadLetter> find(Predicate<DeadLetter> wanted, int limit) {
        List<DeadLetter> found = new ArrayList<>();
        try {
            JetStreamManagement jsm = connection.jetStreamManagement();
            StreamInfo info = jsm.getStreamInfo(streamName);
            long seq = info.getStreamState().getFirstSequence();
            long last = info.getStreamState().getLastSequence();
            while (seq <= last && found.size() < limit) {
                MessageInfo message;
                try {
                    message = jsm.getNextMessage(streamName, seq, queue + ".dlq.*");
                } catch (JetStreamApiException e) {
                    if (e.getApiErrorCode() == NO_MESSAGE_FOUND) break;
                    throw e;
                }
                DeadLetter letter = toDeadLetter(message);
                if (wanted.test(letter)) found.add(letter);
                seq = message.getSeq() + 1;
            }
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot read " + streamName + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** Puts the dead letters of one call back into the work queue; returns those replayed. */
    public List<DeadLetter> replay(String callId) {
        List<DeadLetter> letters = find(callId);
        letters.forEach(this::replay);
        return letters;
    }

    /** Puts every dead letter back into the work queue, oldest first; returns those replayed. */
    public List<DeadLetter> replayAll() {
        List<DeadLetter> letters = list(Integer.MAX_VALUE);
        letters.forEach(this::replay);
        return letters;
    }

    /**
     * Republishes the original body to its subject, then deletes the dead letter. The message id is
     * derived from the dead letter's sequence: replaying the same one twice stores it once, while the
     * original call id (inside the body) stays.
     */
    private void replay(DeadLetter letter) {
        try {
            PublishAck ack = jetStream.publish(letter.subject(), null, letter.payload(), PublishOptions.builder()
                    .messageId(letter.callId() + "/replay/" + letter.sequence())
                    .expectedStream(Subjects.streamName(queue))
                    .build());
            connection.jetStreamManagement().deleteMessage(streamName, letter.sequence());
            log.info("replayed dead letter {} (call {}) into {} seq {}", letter.sequence(), letter.callId(),
                    ack.getStream(), ack.getSeqno());
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot replay dead letter " + letter.sequence() + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the dead letters of one call; returns those deleted. */
    public List<DeadLetter> purge(String callId) {
        List<DeadLetter> letters = find(callId);
        try {
            for (DeadLetter letter : letters) {
                connection.jetStreamManagement().deleteMessage(streamName, letter.sequence());
            }
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot purge from " + streamName + ": " + e.getMessage(), e);
        }
        return letters;
    }

    /** Deletes every dead letter; returns how many. */
    public long purgeAll() {
        try {
            return connection.jetStreamManagement().purgeStream(streamName).getPurged();
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot purge " + streamName + ": " + e.getMessage(), e);
        }
    }

    /** Dead letters held now. */
    public long count() {
        try {
            return connection.jetStreamManagement().getStreamInfo(streamName).getStreamState().getMsgCount();
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot read " + streamName + ": " + e.getMessage(), e);
        }
    }

    private static DeadLetter toDeadLetter(MessageInfo message) {
        Headers h = message.getHeaders() == null ? new Headers() : message.getHeaders();
        return new DeadLetter(message.getSeq(), header(h, CALL_ID), header(h, FUNCTION), header(h, REASON),
                integer(header(h, LAST_STATUS)), integer(header(h, ATTEMPTS)), header(h, DETAIL), header(h, SUBJECT),
                message.getTime() == null ? Instant.EPOCH : message.getTime().toInstant(),
                message.getData() == null ? new byte[0] : message.getData());
    }

    private static String header(Headers headers, String name) {
        String value = headers.getFirst(name);
        return value == null ? "" : value;
    }

    private static int integer(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return "DeadLetterQueue[" + streamName + "]";
    }
}
