package dev.asyncqueue.examples.readme;

// tag::invoker[]
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Runs the "function" in this JVM: no gateway, no HTTP. */
public final class UppercaseInvoker implements Invoker {
    private final Executor executor;

    /** Work runs on {@code executor}: an invoker must not hold up the worker's thread that calls it. */
    public UppercaseInvoker(Executor executor) {
        this.executor = executor;
    }

    @Override
    public CompletionStage<InvocationResult> invoke(Invocation invocation) {
        long started = System.nanoTime();
        return CompletableFuture.supplyAsync(() -> {
            String upper = new String(invocation.body(), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
            return InvocationResult.answered(200, Map.of("Content-Type", List.of("text/plain")),
                    upper.getBytes(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - started));
        }, executor).exceptionally(e -> InvocationResult.transportFailure(e.toString(), // a failure is a result
                Duration.ofNanos(System.nanoTime() - started)));
    }
}
// end::invoker[]
