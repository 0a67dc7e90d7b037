package dev.asyncqueue.nats;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Delivery;
import dev.asyncqueue.QueueUnavailableException;
import dev.asyncqueue.WorkSource;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code static} mode: one durable pull consumer shared by every worker of the queue, serving all
 * functions in FIFO order; more worker replicas mean more throughput, and each message goes to one of them.
 */
public final class StaticConsumerStrategy implements ConsumerStrategy {
    private static final Logger log = LoggerFactory.getLogger(StaticConsumerStrategy.class);
    /** The shared consumer's default name. */
    public static final String DEFAULT_CONSUMER = "faas-workers";

    private final JetStreamQueue queue;
    private final String consumerName;
    private final Duration ackWait;
    private final long maxAckPending;
    private final MessageDecoder decoder;
    private volatile PullSession session;
    private volatile InboxKeepAlive keepAlive;
    private final WorkSource source = new SharedSource();

    private StaticConsumerStrategy(Builder b) {
        this.queue = b.queue;
        this.consumerName = b.consumerName;
        this.ackWait = b.ackWait;
        this.maxAckPending = b.maxAckPending;
        this.decoder = new MessageDecoder(queue);
    }

    /** Starts a strategy for the queue. */
    public static Builder builder(JetStreamQueue queue) {
        return new Builder(queue);
    }

    @Override
    public void start() {
        String stream = queue.streamName();
        try {
            JetStreamManagement jsm = queue.connection().jetStreamManagement();
            queue.ensureStream();
            removeFilteredConsumers(jsm, stream);
            createConsumer(jsm);
            if (keepAlive == null) keepAlive = new InboxKeepAlive(stream, ackWait);
            PullSession previous = session;
            session = new PullSession(queue.connection(), stream, consumerName, decoder, keepAlive, maxAckPending);
            if (previous != null) previous.close();
            log.info("static mode: consumer {} on stream {} (ack_wait {})", consumerName, stream, ackWait);
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot create consumer " + consumerName + " on " + stream + ": "
                    + e.getMessage(), e);
        }
    }

    private void createConsumer(JetStreamManagement jsm) throws IOException, JetStreamApiException {
        jsm.addOrUpdateConsumer(queue.streamName(), ConsumerConfiguration.builder()
                .durable(consumerName)
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                .ackWait(ackWait)
                .maxDeliver(-1)
                .maxAckPending(maxAckPending)
                .build());
    }

    /**
     * A work-queue stream allows one unfiltered consumer only if no filtered ones exist, so
     * per-function consumers left by {@code function} mode are removed; their unacknowledged messages
     * stay in the stream and are delivered to the shared consumer.
     */
    private void removeFilteredConsumers(JetStreamManagement jsm, String stream) throws IOException, JetStreamApiException {
        for (ConsumerInfo info : jsm.getConsumers(stream)) {
            String filter = info.getConsumerConfiguration().getFilterSubject();
            if (!info.getName().equals(consumerName) && filter != null && !filter.isEmpty()) {
                jsm.deleteConsumer(stream, info.getName());
                log.info("removed consumer {} (filter {}) from {}: static mode shares one consumer",
                        info.getName(), filter, stream);
            }
        }
    }

    @Override
    public List<WorkSource> sources() {
        return List.of(source);
    }

    @Override
    public Optional<String> queue() {
        return Optional.of(queue.name());
    }

    @Override
    public Optional<Duration> ackWait() {
        return Optional.of(ackWait);
    }

    /** True once the queue's NATS connection is closed: jnats never reopens a closed connection. */
    @Override
    public boolean isClosed() {
        return queue.connectionClosed();
    }

    @Override
    public void close() {
        PullSession closing = session;
        session = null;
        if (closing != null) closing.close();
        InboxKeepAlive stopping = keepAlive;
        keepAlive = null;
        if (stopping != null) stopping.close();
    }

    /** The single source every function's work comes from. */
    private final class SharedSource implements WorkSource {
        @Override
        public Optional<String> function() {
            return Optional.empty();
        }

        @Override
        public int fetch(int max, Duration maxWait, Consumer<Delivery> sink) throws InterruptedException {
            PullSession pulling = session;
            if (pulling == null) throw new IllegalStateException("strategy not started or closed");
            try {
                return pulling.fetch(max, maxWait, sink);
            } catch (PullSession.ConsumerGoneException gone) {
                // Deleted by hand, or lost with a memory-stored stream: the shared consumer is made again.
                try {
                    createConsumer(queue.connection().jetStreamManagement());
                    log.warn("consumer {} on {} was gone; created it again", consumerName, queue.streamName());
                } catch (IOException | JetStreamApiException e) {
                    gone.addSuppressed(e);
                }
                throw gone;
            }
        }
    }

    /** Configures a {@link StaticConsumerStrategy}. */
    public static final class Builder {
        private final JetStreamQueue queue;
        private String consumerName = DEFAULT_CONSUMER;
        private Duration ackWait = Duration.ofSeconds(30);
        private long maxAckPending = 20_000;

        private Builder(JetStreamQueue queue) {
            this.queue = Objects.requireNonNull(queue);
        }

        /** The durable consumer's name (default {@value #DEFAULT_CONSUMER}). */
        public Builder consumerName(String name) { this.consumerName = Objects.requireNonNull(name); return this; }

        /** How long the server waits for an ack or keep-alive before redelivering ({@code ack_wait}, 30s). */
        public Builder ackWait(Duration ackWait) { this.ackWait = BuilderChecks.positive(ackWait, "ackWait"); return this; }

        /** Messages delivered and not yet acked, across all workers, including those waiting for a retry. */
        public Builder maxAckPending(long maxAckPending) {
            this.maxAckPending = BuilderChecks.positiveOrUnlimited(maxAckPending, "maxAckPending");
            return this;
        }

        /** The strategy; its consumer is created when it starts. */
        public StaticConsumerStrategy build() { return new StaticConsumerStrategy(this); }
    }
}
