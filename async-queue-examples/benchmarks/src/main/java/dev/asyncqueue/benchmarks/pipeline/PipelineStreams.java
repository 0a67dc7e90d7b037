package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.nats.BenchmarkCodec;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.Subjects;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The streams the pipeline cases work on, all on one connection: each repetition gets a fresh queue, filled
 * with the same invocation shape (function {@value #FUNCTION}, a fixed random body) and deleted afterwards.
 */
final class PipelineStreams {
    private static final Logger log = LoggerFactory.getLogger(PipelineStreams.class);
    /** The function every benchmark invocation calls. */
    static final String FUNCTION = "bench";
    /** Invocations are encoded and published in chunks of this many, so a large backlog never sits in memory whole. */
    static final int FILL_CHUNK = 10_000;
    private static final byte[] BODY = new byte[512];

    static {
        new Random(7).nextBytes(BODY);
    }

    private final Connection connection;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final AtomicInteger queues = new AtomicInteger();

    PipelineStreams(Connection connection) throws IOException {
        this.connection = connection;
        this.js = connection.jetStream();
        this.jsm = connection.jetStreamManagement();
    }

    /** The body of every benchmark invocation (a copy). */
    static byte[] body() {
        return BODY.clone();
    }

    /** The connection the streams live on. */
    Connection connection() {
        return connection;
    }

    JetStream jetStream() {
        return js;
    }

    /** A queue name not used before in this run. */
    String newQueueName() {
        return "bench-" + queues.incrementAndGet();
    }

    /** A fresh queue, without dead letters (no case produces any). */
    JetStreamQueue newQueue() {
        return JetStreamQueue.builder(connection).queue(newQueueName()).deadLetters(false).build();
    }

    /** Deletes the queue's stream and its dead-letter stream, whichever exist. */
    void deleteStreams(String queue) {
        for (String stream : List.of(Subjects.streamName(queue), Subjects.streamName(queue) + "_DLQ")) {
            try {
                jsm.deleteStream(stream);
            } catch (JetStreamApiException | IOException e) {
                log.debug("deleting {}: {}", stream, e.toString());
            }
        }
    }

    /** Invocations {@code from} (inclusive) to {@code to} (exclusive) of {@code queue}, call ids {@code <queue>-<i>}. */
    static List<Invocation> invocations(String queue, int from, int to) {
        List<Invocation> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) out.add(invocation(queue, queue + "-" + i));
        return out;
    }

    /** One benchmark invocation of {@code queue} with this call id. */
    static Invocation invocation(String queue, String callId) {
        return Invocation.builder(FUNCTION).queue(queue).callId(callId).body(BODY).build();
    }

    /** Stores {@code n} invocations with raw publishes of their encoded form, in chunks; returns seconds. */
    double fill(JetStreamQueue queue, int n, int window) throws InterruptedException {
        String subject = Subjects.forFunction(queue.name(), FUNCTION);
        long t0 = System.nanoTime();
        for (int from = 0; from < n; from += FILL_CHUNK) {
            List<Invocation> chunk = invocations(queue.name(), from, Math.min(n, from + FILL_CHUNK));
            RawJetStream.publish(js, subject, queue.streamName(), chunk.stream().map(BenchmarkCodec::encode).toList(),
                    chunk.stream().map(Invocation::callId).toList(), window);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Messages the queue's stream holds. */
    long stored(JetStreamQueue queue) throws IOException, JetStreamApiException {
        return jsm.getStreamInfo(queue.streamName()).getStreamState().getMsgCount();
    }

    /** Fails unless the queue's stream holds exactly {@code n} messages. */
    void expectStored(JetStreamQueue queue, long n) throws IOException, JetStreamApiException {
        long stored = stored(queue);
        if (stored != n) throw new IllegalStateException(queue.streamName() + " holds " + stored + ", expected " + n);
    }

    /**
     * The shared consumer as {@code StaticConsumerStrategy} configures it, read through one long-lived jnats pull
     * subscription. Not {@code ConsumerContext.fetch}: it subscribes per pull, and a message the server sends
     * just after its timer ended waits for {@code ack_wait}, which would stall the floor.
     */
    JetStreamSubscription rawConsumer(JetStreamQueue queue) throws IOException, JetStreamApiException {
        addRawConsumer(queue);
        return js.subscribe(null, PullSubscribeOptions.bind(queue.streamName(), "raw"));
    }

    /** The same shared consumer, for jnats' simplified API ({@code consume}, {@code iterate}, {@code fetch}). */
    ConsumerContext rawConsumerContext(JetStreamQueue queue) throws IOException, JetStreamApiException {
        addRawConsumer(queue);
        return connection.getConsumerContext(queue.streamName(), "raw");
    }

    private void addRawConsumer(JetStreamQueue queue) throws IOException, JetStreamApiException {
        jsm.addOrUpdateConsumer(queue.streamName(), ConsumerConfiguration.builder()
                .durable("raw").ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.All)
                .ackWait(Duration.ofSeconds(30)).maxDeliver(-1).maxAckPending(20_000).build());
    }
}
