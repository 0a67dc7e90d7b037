package dev.asyncqueue.nats;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.PayloadTooLargeException;
import dev.asyncqueue.QueueUnavailableException;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.Subject;
import dev.asyncqueue.PendingMessages;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A queue stored in the JetStream stream {@code OF_<queue>} (work-queue retention), created when
 * absent. Enqueue publishes the OpenFaaS {@code QueueRequest} JSON to the function's subject with
 * {@code Nats-Msg-Id} set to the call id, so an enqueue repeated within the duplicate window is stored once.
 */
public final class JetStreamQueue implements AsyncQueue {
    private static final Logger log = LoggerFactory.getLogger(JetStreamQueue.class);
    /** Stream-not-found, as the JetStream API reports it. */
    static final int STREAM_NOT_FOUND = 10059;
    /** Room kept under the limit for the message's NATS headers. */
    private static final int HEADER_ALLOWANCE = 512;

    private final Connection connection;
    private final String name;
    private final String streamName;
    private final StorageType storage;
    private final int replicas;
    private final Duration duplicateWindow;
    private final Duration publishTimeout;
    private final long maxMessageBytes;
    private final JetStream jetStream;
    private final DeadLetterQueue deadLetters;
    private final java.util.Map<String, String> subjects = new java.util.concurrent.ConcurrentHashMap<>();

    private JetStreamQueue(Builder b) {
        this.connection = Objects.requireNonNull(b.connection, "connection");
        this.name = b.queue;
        this.streamName = Subjects.streamName(b.queue);
        this.storage = b.storage;
        this.replicas = b.replicas;
        this.duplicateWindow = b.duplicateWindow;
        this.publishTimeout = b.publishTimeout;
        long serverLimit = connection.getMaxPayload() > 0 ? connection.getMaxPayload() : b.maxMessageBytes;
        this.maxMessageBytes = Math.min(b.maxMessageBytes, serverLimit) - HEADER_ALLOWANCE;
        try {
            this.jetStream = connection.jetStream();
        } catch (IOException e) {
            throw new QueueUnavailableException("JetStream is not available on this connection: " + e.getMessage(), e);
        }
        ensureStream();
        if (b.deadLetters) {
            this.deadLetters = new DeadLetterQueue(connection, name, storage, replicas, b.deadLetterMaxAge);
            deadLetters.ensureStream();
        } else {
            this.deadLetters = null;
        }
    }

    /** Where messages that exhausted their retries or could not be decoded go; empty when switched off. */
    public Optional<DeadLetterQueue> deadLetters() {
        return Optional.ofNullable(deadLetters);
    }

    /** Starts a queue on an open connection. */
    public static Builder builder(Connection connection) {
        return new Builder(connection);
    }

    /** Creates the stream when absent and adds our subjects to an existing one; refuses a stream of the wrong kind. */
    public void ensureStream() {
        List<String> subjects = List.of(Subjects.legacy(name), Subjects.allFunctions(name));
        try {
            JetStreamManagement jsm = connection.jetStreamManagement();
            StreamInfo info;
            try {
                info = jsm.getStreamInfo(streamName);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NOT_FOUND) throw e;
                StreamConfiguration config = StreamConfiguration.builder()
                        .name(streamName)
                        .subjects(subjects)
                        .retentionPolicy(RetentionPolicy.WorkQueue)
                        .storageType(storage)
                        .replicas(replicas)
                        .maxMsgSize(maxMessageBytes + HEADER_ALLOWANCE)
                        .duplicateWindow(duplicateWindow)
                        .build();
                jsm.addStream(config);
                log.info("created stream {} ({} storage, {} replica(s), subjects {})", streamName, storage, replicas, subjects);
                return;
            }
            StreamConfiguration existing = info.getConfiguration();
            if (existing.getRetentionPolicy() != RetentionPolicy.WorkQueue) {
                throw new IllegalStateException("stream " + streamName + " exists with " + existing.getRetentionPolicy()
                        + " retention; a queue needs WorkQueue retention. Delete it or choose another queue name.");
            }
            if (!existing.getSubjects().containsAll(subjects)) {
                List<String> merged = new ArrayList<>(existing.getSubjects());
                subjects.stream().filter(s -> !merged.contains(s)).forEach(merged::add);
                jsm.updateStream(StreamConfiguration.builder(existing).subjects(merged).build());
                log.info("added subjects {} to stream {}", subjects, streamName);
            }
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot set up stream " + streamName + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code OF_<queue>} */
    public String streamName() {
        return streamName;
    }

    /** The connection this queue uses. */
    public Connection connection() {
        return connection;
    }

    @Override
    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * Counts from the stream's per-subject state (one request, no message is read), so it is cheap
     * enough to poll every few seconds.
     */
    @Override
    public PendingMessages pending() {
        try {
            StreamInfo info = connection.jetStreamManagement()
                    .getStreamInfo(streamName, StreamInfoOptions.filterSubjects(Subjects.allFunctions(name)));
            Map<String, Long> byFunction = new HashMap<>();
            List<Subject> subjects = info.getStreamState().getSubjects();
            if (subjects != null) {
                for (Subject subject : subjects) {
                    Subjects.functionOf(name, subject.getName())
                            .ifPresent(f -> byFunction.merge(f, subject.getCount(), Long::sum));
                }
            }
            return new PendingMessages(info.getStreamState().getMsgCount(), byFunction);
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot read the state of " + streamName + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isAvailable() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    /** True once its connection is closed, for good: jnats never reopens a closed connection. */
    boolean connectionClosed() {
        return connection.getStatus() == Connection.Status.CLOSED;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException at once, when the invocation names another queue
     */
    @Override
    public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
        if (!invocation.queue().equals(name)) {
            // A mistake in the caller's code, not a failure of the queue: said at once, not inside the future.
            throw new IllegalArgumentException("invocation " + invocation.callId() + " is for queue "
                    + invocation.queue() + ", not " + name + "; build it with queue.invocation(function), or"
                    + " Invocation.builder(function).queue(\"" + name + "\")");
        }
        byte[] data = QueueRequestWriter.encode(invocation);
        if (data.length > maxMessageBytes) {
            return CompletableFuture.failedFuture(new PayloadTooLargeException(data.length, maxMessageBytes));
        }
        if (!isAvailable()) {
            return CompletableFuture.failedFuture(new QueueUnavailableException(
                    "NATS is not connected (" + connection.getStatus() + "); invocation not stored", null));
        }
        PublishOptions options = PublishOptions.builder()
                .messageId(invocation.callId())
                .expectedStream(streamName)
                .build();
        try {
            // Bounded: during a leader election the server may not answer for a while, and a caller
            // waiting on the receipt must hear about it rather than hang.
            return PublishDeadlines.watch(jetStream.publishAsync(subjectFor(invocation.function()), null, data, options),
                            publishTimeout)
                    .handle((ack, error) -> {
                        if (error != null) {
                            Throwable cause = error instanceof CompletionException && error.getCause() != null
                                    ? error.getCause() : error;
                            String why = cause instanceof java.util.concurrent.TimeoutException
                                    ? "no confirmation within " + publishTimeout + " (it may still be stored; enqueue again"
                                    + " with the same call id to be sure)" : cause.getMessage();
                            throw new QueueUnavailableException("storing invocation " + invocation.callId()
                                    + " in " + streamName + " failed: " + why, cause);
                        }
                        if (ack.hasError()) {
                            throw new QueueUnavailableException("storing invocation " + invocation.callId()
                                    + " in " + streamName + " failed: " + ack.getError(), null);
                        }
                        return new EnqueueReceipt(invocation.callId(), name, ack.getSeqno(), ack.isDuplicate());
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new QueueUnavailableException(
                    "storing invocation " + invocation.callId() + " failed: " + e.getMessage(), e));
        }
    }

    /** The function's subject; remembered, as most enqueues go to a few functions. */
    private String subjectFor(String function) {
        String subject = subjects.get(function);
        if (subject == null) {
            if (subjects.size() >= 4_096) subjects.clear(); // many functions: a bound, not an eviction policy
            subject = Subjects.forFunction(name, function);
            subjects.put(function, subject);
        }
        return subject;
    }

    /** Does nothing to the connection, which belongs to the caller, nor to stored invocations. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "JetStreamQueue[" + streamName + ", " + storage + ", replicas=" + replicas + "]";
    }

    /** Configures a {@link JetStreamQueue}. */
    public static final class Builder {
        private final Connection connection;
        private String queue = Invocation.DEFAULT_QUEUE;
        private StorageType storage = StorageType.File;
        private int replicas = 1;
        private Duration duplicateWindow = Duration.ofMinutes(2);
        private Duration publishTimeout = Duration.ofSeconds(10);
        private long maxMessageBytes = 1024 * 1024;
        private boolean deadLetters = true;
        private Duration deadLetterMaxAge = Duration.ofDays(7);

        private Builder(Connection connection) {
            this.connection = connection;
        }

        /** The queue name ({@code queue_name}, default {@code faas-request}). */
        public Builder queue(String queue) {
            Subjects.streamName(queue);
            this.queue = queue;
            return this;
        }

        /** File (default, survives restarts) or memory storage, used when the stream is created. */
        public Builder storage(StorageType storage) { this.storage = Objects.requireNonNull(storage); return this; }

        /** Stream replicas ({@code nats_stream_replicas}, 1; use 3 in production clusters). */
        public Builder replicas(int replicas) {
            if (replicas < 1 || replicas > 5) throw new IllegalArgumentException("replicas must be 1..5, got " + replicas);
            this.replicas = replicas;
            return this;
        }

        /** How long a call id is remembered for de-duplication (2 minutes). */
        public Builder duplicateWindow(Duration window) {
            this.duplicateWindow = BuilderChecks.positive(window, "duplicateWindow");
            return this;
        }

        /** How long an enqueue waits for the server's confirmation before failing (10s); keep it under the duplicate window. */
        public Builder publishTimeout(Duration timeout) {
            if (timeout.isZero() || timeout.isNegative()) throw new IllegalArgumentException("publishTimeout must be positive");
            this.publishTimeout = timeout;
            return this;
        }

        /** Largest message stored, capped by the server's {@code max_payload} (1 MiB). */
        public Builder maxMessageBytes(long bytes) {
            if (bytes < 4096) throw new IllegalArgumentException("maxMessageBytes must be at least 4096");
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * Keep dead letters in {@code OF_<queue>_DLQ} ({@code dead_letter_enabled}, on); when off, exhausted
         * calls are acked and malformed messages terminated.
         */
        public Builder deadLetters(boolean enabled) { this.deadLetters = enabled; return this; }

        /** How long dead letters are kept ({@code dead_letter_max_age}, 7 days; zero keeps them for ever). */
        public Builder deadLetterMaxAge(Duration maxAge) {
            if (maxAge.isNegative()) throw new IllegalArgumentException("deadLetterMaxAge must not be negative");
            this.deadLetterMaxAge = maxAge;
            return this;
        }

        /**
         * Connects to the stream, creating it when absent.
         *
         * @throws IllegalArgumentException when the publish timeout is not shorter than the duplicate window: an
         *         enqueue repeated after a timeout could then be stored twice
         */
        public JetStreamQueue build() {
            if (publishTimeout.compareTo(duplicateWindow) >= 0) {
                throw new IllegalArgumentException("publishTimeout " + publishTimeout + " must be shorter than the"
                        + " duplicateWindow " + duplicateWindow + ", so an enqueue repeated after a timeout is stored once");
            }
            return new JetStreamQueue(this);
        }
    }
}
