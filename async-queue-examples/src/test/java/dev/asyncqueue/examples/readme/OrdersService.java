package dev.asyncqueue.examples.readme;

// tag::static-mode[]
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.NatsConnections;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.worker.QueueWorker;
import dev.asyncqueue.worker.WorkerState;
import io.nats.client.Connection;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** Takes invocations of functions behind an OpenFaaS gateway and works them off, on the queue "orders". */
public final class OrdersService implements AutoCloseable {
    private final Connection nats;
    private final JetStreamQueue queue;
    private final HttpInvoker invoker;
    private final QueueWorker worker;

    public OrdersService(String natsUrl, URI gatewayUrl) throws IOException {
        nats = NatsConnections.connect(natsUrl, "orders-service");    // reconnects for ever, logs through SLF4J
        queue = JetStreamQueue.builder(nats).queue("orders").build();  // the stream OF_orders, created if absent
        invoker = HttpInvoker.builder().gatewayUrl(gatewayUrl).build(); // calls <gateway>/function/<name>
        worker = QueueWorker.builder()                                 // named "orders" after its queue
                .consumer(StaticConsumerStrategy.builder(queue).build())
                .invoker(invoker)
                .build();
        worker.start();
    }

    /** Durable once the future completes; the result is posted to {@code callbackUrl} when the call is done. */
    public CompletableFuture<EnqueueReceipt> submit(String function, byte[] body, URI callbackUrl) {
        return queue.enqueue(queue.invocation(function).body(body).callbackUrl(callbackUrl).build())
                .toCompletableFuture();
    }

    /** RUNNING; DEGRADED while NATS is unreachable; TRANSPORT_CLOSED if the connection is gone for good. */
    public WorkerState health() {
        return worker.state();
    }

    /** Lets calls in flight finish (10 s by default), then stops every thread the library started. */
    @Override
    public void close() throws InterruptedException {
        worker.close();
        invoker.close();
        nats.close();
    }
}
// end::static-mode[]
