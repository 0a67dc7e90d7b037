package dev.asyncqueue.nats;

import dev.asyncqueue.nats.testing.LocalNatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Test helpers around a real nats-server: connections and unique queue names. */
final class NatsTestServer {
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private NatsTestServer() {
    }

    static Connection connect(LocalNatsServer server) throws IOException, InterruptedException {
        return Nats.connect(Options.builder().server(server.url()).connectionTimeout(Duration.ofSeconds(5))
                .maxReconnects(-1).reconnectWait(Duration.ofMillis(250)).build());
    }

    /** A queue name no other test in this JVM uses, so tests sharing a server do not see each other's work. */
    static String uniqueQueue(String prefix) {
        return prefix + "-" + QUEUES.incrementAndGet();
    }
}
