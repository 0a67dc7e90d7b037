package dev.asyncqueue.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import java.util.List;
import java.util.Optional;

/**
 * W3C {@code traceparent} propagation for the test tracer ({@code version-traceid-parentid-flags}, 55 characters),
 * as Brave and OpenTelemetry do it: the library never formats the header itself. The test tracer makes 64-bit
 * trace ids; on the wire they are zero-padded to 128 bits and read back unpadded, as B3 does.
 */
final class W3cPropagator implements Propagator {
    static final String TRACEPARENT = "traceparent";
    private static final String PAD = "0000000000000000";

    /** A parsed header. */
    record Traceparent(String traceId, String parentId, boolean sampled) {
        /** Parses a well-formed header; empty for anything else. */
        static Optional<Traceparent> parse(String header) {
            if (header == null || header.length() != 55) return Optional.empty();
            String[] parts = header.split("-");
            if (parts.length != 4 || !parts[0].equals("00") || parts[1].length() != 32 || parts[2].length() != 16
                    || parts[3].length() != 2 || !(hex(parts[1]) && hex(parts[2]) && hex(parts[3]))) {
                return Optional.empty();
            }
            String traceId = parts[1].startsWith(PAD) ? parts[1].substring(16) : parts[1];
            return Optional.of(new Traceparent(traceId, parts[2], (Integer.parseInt(parts[3], 16) & 1) == 1));
        }

        String format() {
            return "00-" + (traceId.length() == 16 ? PAD + traceId : traceId) + "-" + parentId + (sampled ? "-01" : "-00");
        }

        private static boolean hex(String s) {
            return s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        }
    }

    private final Tracer tracer;

    W3cPropagator(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public List<String> fields() {
        return List.of(TRACEPARENT);
    }

    @Override
    public <C> void inject(TraceContext context, C carrier, Setter<C> setter) {
        setter.set(carrier, TRACEPARENT,
                new Traceparent(context.traceId(), context.spanId(), !Boolean.FALSE.equals(context.sampled())).format());
    }

    @Override
    public <C> Span.Builder extract(C carrier, Getter<C> getter) {
        Optional<Traceparent> parent = Traceparent.parse(getter.get(carrier, TRACEPARENT));
        if (parent.isEmpty()) return tracer.spanBuilder();
        return tracer.spanBuilder().setParent(tracer.traceContextBuilder().traceId(parent.get().traceId())
                .spanId(parent.get().parentId()).sampled(parent.get().sampled()).build());
    }
}
