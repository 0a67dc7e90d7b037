package dev.asyncqueue.examples.inprocess;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Invokes {@link FunctionHandler}s in process: 200 with the handler's text, 404 for an unknown function, 500 when it throws. */
final class JavaHandlersInvoker implements Invoker {
    private final Map<String, FunctionHandler> handlers;
    private final Executor executor;

    JavaHandlersInvoker(Map<String, FunctionHandler> handlers, Executor executor) {
        this.handlers = Map.copyOf(handlers);
        this.executor = executor;
    }

    @Override
    public CompletionStage<InvocationResult> invoke(Invocation invocation) {
        FunctionHandler handler = handlers.get(invocation.function());
        if (handler == null) {
            return CompletableFuture.completedFuture(InvocationResult.answered(404, Map.of(),
                    ("no handler for " + invocation.function()).getBytes(StandardCharsets.UTF_8), Duration.ZERO));
        }
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                String body = handler.handle(invocation);
                return InvocationResult.answered(200, Map.of("Content-Type", List.of("text/plain; charset=utf-8")),
                        body.getBytes(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
            } catch (Exception e) {
                return InvocationResult.answered(500, Map.of(), String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8),
                        Duration.ofNanos(System.nanoTime() - start));
            }
        }, executor);
    }
}
