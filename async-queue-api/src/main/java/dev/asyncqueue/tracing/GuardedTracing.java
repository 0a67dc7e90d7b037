package dev.asyncqueue.tracing;

import dev.asyncqueue.Invocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A tracing whose failures never reach the call it traces: a step that cannot start is {@link TracedStep#NONE},
 * a tag or an end that throws is skipped. The first failure is a warning, later ones debug lines, so a broken
 * tracer does not add a line per call.
 */
final class GuardedTracing implements InvocationTracing {
    private static final Logger log = LoggerFactory.getLogger(GuardedTracing.class);

    private final InvocationTracing delegate;
    private final AtomicBoolean warned = new AtomicBoolean();

    GuardedTracing(InvocationTracing delegate) {
        this.delegate = delegate;
    }

    @Override
    public TracedStep enqueue(Invocation invocation) {
        return step(() -> delegate.enqueue(invocation));
    }

    @Override
    public TracedStep attempt(Invocation queued, int attempt) {
        return step(() -> delegate.attempt(queued, attempt));
    }

    @Override
    public TracedStep functionCall(TracedStep attempt, Invocation invocation) {
        return step(() -> delegate.functionCall(unwrapped(attempt), invocation));
    }

    @Override
    public TracedStep callback(TracedStep attempt, Invocation invocation) {
        return step(() -> delegate.callback(unwrapped(attempt), invocation));
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    private TracedStep step(Supplier<TracedStep> start) {
        try {
            TracedStep step = start.get();
            return step == null || step == TracedStep.NONE ? TracedStep.NONE : new Guarded(step);
        } catch (RuntimeException e) {
            failed("starting a step", e);
            return TracedStep.NONE;
        }
    }

    private static TracedStep unwrapped(TracedStep step) {
        return step instanceof Guarded guarded ? guarded.step : step;
    }

    private void failed(String what, RuntimeException e) {
        if (warned.compareAndSet(false, true)) {
            log.warn("tracing {} failed {}: {}; the call goes on untraced (later failures at debug)", delegate, what,
                    e.toString());
        } else {
            log.debug("tracing {} failed {}: {}", delegate, what, e.toString());
        }
    }

    /** A step whose tags and end cannot throw. */
    private final class Guarded implements TracedStep {
        private final TracedStep step;

        Guarded(TracedStep step) {
            this.step = step;
        }

        @Override
        public Map<String, String> headers() {
            try {
                Map<String, String> headers = step.headers();
                return headers == null ? Map.of() : headers;
            } catch (RuntimeException e) {
                failed("reading the trace headers", e);
                return Map.of();
            }
        }

        @Override
        public TracedStep tag(String key, String value) {
            try {
                step.tag(key, value);
            } catch (RuntimeException e) {
                failed("tagging a step", e);
            }
            return this;
        }

        @Override
        public void end(String failure) {
            try {
                step.end(failure);
            } catch (RuntimeException e) {
                failed("ending a step", e);
            }
        }
    }
}
