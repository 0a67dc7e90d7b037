package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.spi.InvokerProvider;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code noop} invoker ({@code invoker=noop}) of the benchmarks' jar: answers every call with 200 at once, on
 * the caller's thread, so the example app's dispatch row measures its own wiring and nothing of a function.
 */
public final class NoOpInvokerProvider implements InvokerProvider {
    /** Calls answered by every {@code noop} invoker of this JVM. */
    private static final AtomicLong INVOKED = new AtomicLong();
    private static final InvocationResult OK = InvocationResult.answered(200, Map.of(), new byte[0], Duration.ZERO);

    @Override
    public String name() {
        return "noop";
    }

    @Override
    public Invoker create(Settings settings) {
        return invocation -> {
            INVOKED.incrementAndGet();
            return CompletableFuture.completedFuture(OK);
        };
    }

    /** Calls answered so far by every {@code noop} invoker of this JVM. */
    static long invoked() {
        return INVOKED.get();
    }
}
