package dev.asyncqueue.benchmarks.http;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.http.HttpEngine;
import dev.asyncqueue.http.HttpInvoker;

import java.net.URI;
import java.util.List;

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
        // One exchange, the function's: the invoker is given the gateway and finds the function under it itself.
        return new AsyncLoop(List.of(Candidate.function(gateway)), concurrency, body) {
            @Override
            void start(URI url, byte[] content, Outcome outcome) {
                invoker.invoke(invocation).whenComplete((r, e) -> outcome.ended(r == null ? 0 : r.status(),
                        null, e != null ? e : r.transportError().map(IllegalStateException::new).orElse(null)));
            }

            @Override
            public void close() {
                invoker.close();
            }
        };
    }
}
