package dev.asyncqueue.examples.embedding;

import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.NatsConnections;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.worker.QueueWorker;
import io.nats.client.Connection;

import java.net.URI;

/** The README's embedding example: enqueue one call and run a worker in your own application. */
public final class EmbeddedWorkerExample {
    private EmbeddedWorkerExample() {
    }

    /** Arguments: NATS URL (default nats://127.0.0.1:4222) and gateway URL (default http://127.0.0.1:8080). */
    public static void main(String[] args) throws Exception {
        String natsUrl = args.length > 0 ? args[0] : "nats://127.0.0.1:4222";
        String gateway = args.length > 1 ? args[1] : "http://127.0.0.1:8080";
        try (Connection nats = NatsConnections.connect(natsUrl, "embedded-worker-example")) {
            JetStreamQueue queue = JetStreamQueue.builder(nats).queue("faas-request").build();
            queue.enqueue(queue.invocation("echo").body("hello".getBytes())
                    .callbackUrl(URI.create(gateway + "/demo/callback")).build())
                    .toCompletableFuture().join();
            try (HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(URI.create(gateway)).build();
                 QueueWorker worker = QueueWorker.builder()
                         .consumer(StaticConsumerStrategy.builder(queue).build())
                         .invoker(invoker)
                         .maxInflight(10)
                         .build()) {
                worker.start();
                Thread.sleep(5_000); // a real application runs the worker until it shuts down
            }
        }
    }
}
