package dev.asyncqueue.benchmarks.micro;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.nats.BenchmarkCodec;
import io.nats.client.support.JsonParseException;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmark of the QueueRequest codec ({@link BenchmarkCodec}) on the pipeline benchmark's invocation, beside the jnats JSON
 * parser and the base64 decoder that any reader of the same payload has to run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
    static final String FUNCTION = "bench";
    static final String QUEUE = "bench-1";
    static final int BODY_BYTES = 512;
    /** Distinct call ids cycled through, as the pipeline benchmark's messages differ in theirs; a power of two. */
    static final int INVOCATIONS = 256;
    private static final String FALLBACK_ID = QUEUE + "-fallback";
    private static final byte[] BODY = new byte[BODY_BYTES];

    static {
        new Random(7).nextBytes(BODY);
    }

    private Invocation[] invocations;
    private byte[][] payloads;
    private byte[] body64;
    private byte[][] withoutBody;
    private int next;

    /** The pipeline benchmark's invocation number {@code i}. */
    static Invocation invocation(int i) {
        return Invocation.builder(FUNCTION).queue(QUEUE).callId(QUEUE + "-" + i).body(BODY).build();
    }

    /** Encodes the invocations once and checks that they decode to themselves, so a broken codec fails here. */
    @Setup
    public void encodeAll() {
        invocations = new Invocation[INVOCATIONS];
        payloads = new byte[INVOCATIONS][];
        for (int i = 0; i < INVOCATIONS; i++) {
            invocations[i] = invocation(i);
            payloads[i] = BenchmarkCodec.encode(invocations[i]);
            Invocation decoded = BenchmarkCodec.decode(payloads[i], QUEUE, FALLBACK_ID);
            if (!decoded.callId().equals(invocations[i].callId()) || decoded.bodyLength() != BODY_BYTES) {
                throw new IllegalStateException("the codec does not round-trip " + invocations[i]);
            }
        }
        body64 = Base64.getEncoder().encodeToString(BODY).getBytes(StandardCharsets.US_ASCII);
        withoutBody = new byte[INVOCATIONS][];
        String body = new String(body64, StandardCharsets.US_ASCII);
        for (int i = 0; i < INVOCATIONS; i++) {
            String json = new String(payloads[i], StandardCharsets.UTF_8);
            if (!json.contains(body)) throw new IllegalStateException("the payload does not hold the body's base64");
            withoutBody[i] = json.replace(body, "").getBytes(StandardCharsets.UTF_8);
        }
    }

    private int nextIndex() {
        return next++ & (INVOCATIONS - 1);
    }

    /** The codec's encoding: invocation to QueueRequest JSON bytes. */
    @Benchmark
    public byte[] encode() {
        return BenchmarkCodec.encode(invocations[nextIndex()]);
    }

    /** The codec's decoding: QueueRequest JSON bytes to a validated invocation. */
    @Benchmark
    public Invocation decode() {
        return BenchmarkCodec.decode(payloads[nextIndex()], QUEUE, FALLBACK_ID);
    }

    /** jnats' {@code JsonParser.parse} of the whole payload, body string included. */
    @Benchmark
    public JsonValue jnatsParse() throws JsonParseException {
        return JsonParser.parse(payloads[nextIndex()]);
    }

    /**
     * jnats' {@code JsonParser.parse} of the payload with its body string emptied: what {@code decode} still
     * hands to the parser, since it takes the body's base64 from the bytes itself.
     */
    @Benchmark
    public JsonValue jnatsParseWithoutBody() throws JsonParseException {
        return JsonParser.parse(withoutBody[nextIndex()]);
    }

    /** {@code java.util.Base64} decoding of the body's base64 text alone. */
    @Benchmark
    public byte[] base64Body() {
        nextIndex(); // the same index bookkeeping as the other methods, so it is not a difference between them
        return Base64.getDecoder().decode(body64);
    }

    /**
     * A plain reader of this format with jnats: parse the whole payload, then decode the parsed body string.
     * No validation, no invocation built.
     */
    @Benchmark
    public byte[] parseThenBase64() throws JsonParseException {
        JsonValue root = JsonParser.parse(payloads[nextIndex()]);
        return Base64.getDecoder().decode(root.map.get("Body").string);
    }
}
