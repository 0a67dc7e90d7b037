package dev.asyncqueue.benchmarks.http;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.http.HttpEngine;
import dev.asyncqueue.http.HttpInvoker;

import java.net.URI;

/**
 * The library's {@link HttpInvoker} as the worker calls it: {@code invoke} with at most {@code concurrency}
 * calls open, and {@code maxConcurrency} the same (the worker's {@code max_inflight}).
 */
final class InvokerLoop {
    private InvokerLoop() {
    }

    static HttpLoop create(URI gateway, int concurrency, byte[] body, HttpEngine engine) {
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(gateway).engine(engine).maxConcurrency(concurrency).build();
        Invocation invocation = Invocation.builder("bench").method("POST")
                .header("Content-Type", "application/octet-stream").body(body).build();
        return new AsyncLoop(concurrency) {
            @Override
            void start(Outcome outcome) {
                invoker.invoke(invocation).whenComplete((r, e) -> outcome.ended(r == null ? 0 : r.status(),
                        e != null ? e : r.transportError().map(IllegalStateException::new).orElse(null)));
            }

            @Override
            public void close() {
                invoker.close();
            }
        };
    }
}
