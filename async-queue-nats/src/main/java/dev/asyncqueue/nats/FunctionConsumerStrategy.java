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
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.Subject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code function} mode: a durable pull consumer per function, filtered on exactly that function's
 * subject, so each function drains at its own pace and a burst for one never starves the others.
 *
 * <p>Functions with work are discovered from the stream's per-subject message counts (one request
 * per {@code discoveryInterval}, no message is read). A consumer is created when its function has
 * messages and is pulled only while it has; once idle for {@code inactiveThreshold} the server
 * deletes it, and new work creates it again. All worker processes of the queue share each
 * function's consumer. Messages on the legacy bare subject get a consumer of their own, whose
 * messages are limited per function after they are pulled.
 *
 * <p>Threads: one of its own, which keeps alive messages waiting in the sources' inboxes
 * ({@link InboxKeepAlive}). The worker's one dispatcher thread calls {@link #sources()} and pulls from each source
 * without waiting, so hundreds of functions cost requests, not threads.
 */
public final class FunctionConsumerStrategy implements ConsumerStrategy {
    private static final Logger log = LoggerFactory.getLogger(FunctionConsumerStrategy.class);
    /** The consumer of messages published on the legacy bare subject. */
    static final String LEGACY_CONSUMER = "legacy";
    /** Prefix of per-function consumer names; the rest is the function's subject token. */
    static final String CONSUMER_PREFIX = "fn-";

    private final JetStreamQueue queue;
    private final Duration ackWait;
    private final Duration inactiveThreshold;
    private final Duration discoveryInterval;
    private final long maxAckPending;
    private final MessageDecoder decoder;
    private final Map<String, FunctionSource> active = new LinkedHashMap<>();
    private long nextDiscovery;
    private int rotation;
    private boolean discoveryFailing;
    private volatile List<WorkSource> current = List.of();
    private volatile InboxKeepAlive keepAlive;

    private FunctionConsumerStrategy(Builder b) {
        this.queue = b.queue;
        this.ackWait = b.ackWait;
        this.inactiveThreshold = b.inactiveThreshold;
        this.discoveryInterval = b.discoveryInterval;
        this.maxAckPending = b.maxAckPending;
        this.decoder = new MessageDecoder(queue);
    }

    /** Starts a strategy for the queue. */
    public static Builder builder(JetStreamQueue queue) {
        return new Builder(queue);
    }

    /** The consumer name used for a function. */
    static String consumerName(String function) {
        return CONSUMER_PREFIX + Subjects.encodeToken(function);
    }

    @Override
    public void start() {
        try {
            queue.ensureStream();
            removeUnfilteredConsumers(queue.connection().jetStreamManagement());
            if (keepAlive == null) keepAlive = new InboxKeepAlive(queue.streamName(), ackWait);
            log.info("function mode on {}: a consumer per function, idle ones deleted after {}", queue.streamName(),
                    inactiveThreshold);
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot prepare function mode on " + queue.streamName() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * A work-queue stream cannot have an unfiltered consumer beside filtered ones, so the shared
     * consumer of {@code static} mode is removed; its unacknowledged messages stay in the stream and
     * go to the per-function consumers.
     */
    private void removeUnfilteredConsumers(JetStreamManagement jsm) throws IOException, JetStreamApiException {
        for (ConsumerInfo info : jsm.getConsumers(queue.streamName())) {
            String filter = info.getConsumerConfiguration().getFilterSubject();
            if (filter == null || filter.isEmpty()) {
                jsm.deleteConsumer(queue.streamName(), info.getName());
                log.info("removed consumer {} from {}: function mode uses one consumer per function",
                        info.getName(), queue.streamName());
            }
        }
    }

    @Override
    public List<WorkSource> sources() {
        long now = System.nanoTime();
        if (now - nextDiscovery >= 0) {
            nextDiscovery = now + discoveryInterval.toNanos();
            discover();
        }
        List<WorkSource> sources = current;
        if (sources.size() < 2) return sources;
        // Rotate so that, round after round, each function is first as often as the others.
        int start = Math.floorMod(rotation++, sources.size());
        List<WorkSource> rotated = new ArrayList<>(sources.size());
        rotated.addAll(sources.subList(start, sources.size()));
        rotated.addAll(sources.subList(0, start));
        return rotated;
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

    /** Functions whose consumers are pulled now. */
    Set<String> activeFunctions() {
        Set<String> functions = new HashSet<>();
        for (WorkSource source : current) source.function().ifPresent(functions::add);
        return functions;
    }

    private void discover() {
        StreamInfo info;
        try {
            info = queue.connection().jetStreamManagement()
                    .getStreamInfo(queue.streamName(), StreamInfoOptions.allSubjects());
        } catch (IOException | JetStreamApiException e) {
            discoveryFailed(e);
            return;
        }
        discoveryFailing = false;
        Set<String> withWork = new HashSet<>();
        List<Subject> subjects = info.getStreamState().getSubjects();
        if (subjects != null) {
            for (Subject subject : subjects) {
                if (subject.getCount() > 0) withWork.add(subject.getName());
            }
        }
        active.entrySet().removeIf(entry -> {
            if (withWork.contains(entry.getKey())) return false;
            entry.getValue().session.close();
            return true;
        });
        for (String subject : withWork) {
            FunctionSource source = active.get(subject);
            if (source == null || source.broken) {
                if (source != null) source.session.close();
                source = open(subject);
                if (source != null) active.put(subject, source);
            }
        }
        current = List.copyOf(active.values());
    }

    /** Warned about once while it lasts: during an outage every discovery fails, and the worker says so too. */
    private void discoveryFailed(Exception e) {
        if (discoveryFailing) {
            log.debug("cannot read pending counts of {}: {}", queue.streamName(), e.toString());
        } else {
            discoveryFailing = true;
            log.warn("cannot read pending counts of {}: {}", queue.streamName(), e.getMessage());
        }
    }

    private FunctionSource open(String subject) {
        Optional<String> function = Subjects.functionOf(queue.name(), subject);
        boolean legacy = subject.equals(Subjects.legacy(queue.name()));
        if (function.isEmpty() && !legacy) return null;
        String name = function.map(FunctionConsumerStrategy::consumerName).orElse(LEGACY_CONSUMER);
        ConsumerConfiguration config = ConsumerConfiguration.builder()
                .durable(name)
                .filterSubject(subject)
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                .ackWait(ackWait)
                .maxDeliver(-1)
                .maxAckPending(maxAckPending)
                .inactiveThreshold(inactiveThreshold)
                .build();
        try {
            queue.connection().jetStreamManagement().addOrUpdateConsumer(queue.streamName(), config);
            log.debug("consumer {} ready for {}", name, subject);
            if (keepAlive == null) throw new IllegalStateException("strategy not started or closed");
            return new FunctionSource(function, new PullSession(queue.connection(), queue.streamName(), name, decoder,
                    keepAlive, maxAckPending));
        } catch (IOException | JetStreamApiException e) {
            log.warn("cannot create consumer {} on {}: {}", name, queue.streamName(), e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        active.values().forEach(source -> source.session.close());
        active.clear();
        current = List.of();
        InboxKeepAlive stopping = keepAlive;
        keepAlive = null;
        if (stopping != null) stopping.close();
    }

    /** One function's consumer (or the legacy subject's). */
    private final class FunctionSource implements WorkSource {
        private final Optional<String> function;
        private final PullSession session;
        private volatile boolean broken;

        FunctionSource(Optional<String> function, PullSession session) {
            this.function = function;
            this.session = session;
        }

        @Override
        public Optional<String> function() {
            return function;
        }

        @Override
        public int fetch(int max, Duration maxWait, Consumer<Delivery> sink) throws InterruptedException {
            try {
                return session.fetch(max, maxWait, sink);
            } catch (RuntimeException e) {
                // Most likely the server deleted the consumer as inactive; the next discovery re-creates it.
                broken = true;
                nextDiscovery = System.nanoTime();
                throw e;
            }
        }
    }

    /** Configures a {@link FunctionConsumerStrategy}. */
    public static final class Builder {
        private final JetStreamQueue queue;
        private Duration ackWait = Duration.ofSeconds(30);
        private Duration inactiveThreshold = Duration.ofSeconds(30);
        private Duration discoveryInterval = Duration.ofMillis(500);
        private long maxAckPending = 1_000;

        private Builder(JetStreamQueue queue) {
            this.queue = Objects.requireNonNull(queue);
        }

        /** How long the server waits for an ack or keep-alive before redelivering ({@code ack_wait}, 30s). */
        public Builder ackWait(Duration ackWait) { this.ackWait = BuilderChecks.positive(ackWait, "ackWait"); return this; }

        /** A function's consumer idle this long is deleted ({@code consumer_inactive_threshold}, 30s). */
        public Builder inactiveThreshold(Duration threshold) {
            this.inactiveThreshold = BuilderChecks.positive(threshold, "inactiveThreshold");
            return this;
        }

        /** How often the stream's per-function counts are read to find functions with work (500ms). */
        public Builder discoveryInterval(Duration interval) {
            this.discoveryInterval = BuilderChecks.positive(interval, "discoveryInterval");
            return this;
        }

        /** Messages of one function delivered and not yet acked, across all workers (1000). */
        public Builder maxAckPending(long maxAckPending) {
            this.maxAckPending = BuilderChecks.positiveOrUnlimited(maxAckPending, "maxAckPending");
            return this;
        }

        /** The strategy; consumers are created when it starts and as functions get work. */
        public FunctionConsumerStrategy build() { return new FunctionConsumerStrategy(this); }
    }
}
