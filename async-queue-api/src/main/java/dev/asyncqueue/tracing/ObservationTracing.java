package dev.asyncqueue.tracing;

import dev.asyncqueue.Invocation;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@link InvocationTracing} on Micrometer Observation. Each step is an observation, tagged with {@code queue} and
 * {@code function}:
 * <table>
 *   <caption>observations</caption>
 *   <tr><th>name</th><th>kind</th><th>what it covers</th></tr>
 *   <tr><td>{@value #ENQUEUE}</td><td>producer</td><td>storing the invocation, inside the caller's current
 *       observation</td></tr>
 *   <tr><td>{@value #ATTEMPT}</td><td>consumer</td><td>one attempt on a worker, from its start to its settlement
 *       (callback included), continuing the trace the queued message carries; tagged {@code outcome}</td></tr>
 *   <tr><td>{@value #INVOKE}</td><td>client</td><td>the function call inside an attempt; tagged
 *       {@code status}</td></tr>
 *   <tr><td>{@value #CALLBACK}</td><td>client</td><td>posting the final result inside the last attempt</td></tr>
 * </table>
 *
 * <p>The trace context is written and read by the registry's handlers: with Micrometer Tracing's propagating
 * handlers (a Brave or OpenTelemetry bridge, W3C propagation) the queued message carries {@code traceparent} and
 * the function and the callback receiver get one naming the {@value #INVOKE} or {@value #CALLBACK} span. With
 * metrics handlers alone each step is timed and no header is added. This class is the only one in the api module
 * that needs Micrometer (micrometer-observation, which micrometer-core brings) at run time, and it is loaded only
 * when an application creates it.
 */
public final class ObservationTracing implements InvocationTracing {
    /** The enqueue's observation. */
    public static final String ENQUEUE = "async.queue.enqueue";
    /** An attempt's observation. */
    public static final String ATTEMPT = "async.queue.attempt";
    /** The function call's observation. */
    public static final String INVOKE = "async.queue.invoke";
    /** The callback's observation. */
    public static final String CALLBACK = "async.queue.callback";

    private final ObservationRegistry registry;

    /** Reports to {@code registry}, whose handlers decide what becomes of each step (spans, timers, logs). */
    public ObservationTracing(ObservationRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public TracedStep enqueue(Invocation invocation) {
        return send(ENQUEUE, "enqueue", Kind.PRODUCER, null, invocation);
    }

    @Override
    public TracedStep attempt(Invocation queued, int attempt) {
        ReceiverContext<Invocation> context = new ReceiverContext<>(
                (carrier, key) -> carrier.header(key).orElse(null), Kind.CONSUMER);
        context.setCarrier(queued);
        Observation observation = tagged(Observation.createNotStarted(ATTEMPT, () -> context, registry),
                "process", queued)
                .highCardinalityKeyValue("attempt", Integer.toString(attempt))
                .start();
        return new Observed(observation, Map.of());
    }

    @Override
    public TracedStep functionCall(TracedStep attempt, Invocation invocation) {
        return send(INVOKE, "invoke", Kind.CLIENT, attempt, invocation);
    }

    @Override
    public TracedStep callback(TracedStep attempt, Invocation invocation) {
        return send(CALLBACK, "callback", Kind.CLIENT, attempt, invocation);
    }

    /** A step that sends something on: its handlers write the trace context into the carrier as it starts. */
    private TracedStep send(String name, String verb, Kind kind, TracedStep parent, Invocation invocation) {
        Map<String, String> carrier = new LinkedHashMap<>();
        SenderContext<Map<String, String>> context = new SenderContext<>(Map::put, kind);
        context.setCarrier(carrier);
        context.setRemoteServiceName(invocation.function());
        Observation observation = tagged(Observation.createNotStarted(name, () -> context, registry), verb, invocation);
        if (parent instanceof Observed observed) observation.parentObservation(observed.observation());
        observation.start();
        return new Observed(observation, Collections.unmodifiableMap(carrier));
    }

    private static Observation tagged(Observation observation, String verb, Invocation invocation) {
        return observation.contextualName(verb + " " + invocation.function())
                .lowCardinalityKeyValue("queue", invocation.queue())
                .lowCardinalityKeyValue("function", invocation.function())
                .highCardinalityKeyValue("call.id", invocation.callId());
    }

    @Override
    public String toString() {
        return "ObservationTracing[" + registry + "]";
    }

    /** A step as an observation, with the headers its handlers wrote when it started. */
    private record Observed(Observation observation, Map<String, String> headers) implements TracedStep {
        @Override
        public TracedStep tag(String key, String value) {
            observation.lowCardinalityKeyValue(key, value);
            return this;
        }

        @Override
        public void end(String failure) {
            if (failure != null) observation.error(new StepFailed(failure));
            observation.stop();
        }
    }

    /** Why a step failed, for the observation's error; no stack trace, as it names an outcome, not a bug. */
    private static final class StepFailed extends RuntimeException {
        StepFailed(String message) {
            super(message, null, false, false);
        }
    }
}
