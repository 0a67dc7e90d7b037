package dev.asyncqueue.nats;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.ConnectionListener;

import java.util.Objects;

/**
 * The nats module's Micrometer binding: {@code queue_worker_nats_reconnect_total} (fed by the connection
 * listener, see {@link NatsConnections#options}) and {@code queue_worker_dead_letters_total} by
 * {@code queue_name} and {@code reason}, counted when a dead letter is stored.
 */
public final class NatsMetrics {
    private final MeterRegistry registry;
    private final Counter reconnects;

    /** Binds to {@code registry}; the reconnect counter reads 0 until the first reconnect. */
    public NatsMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.reconnects = Counter.builder("queue.worker.nats.reconnect")
                .description("Times the NATS connection was re-established").register(registry);
    }

    /** Hand this every connection event. */
    public void connectionEvent(ConnectionListener.Events event) {
        if (event == ConnectionListener.Events.RECONNECTED) reconnects.increment();
    }

    /** Counts the queue's dead letters, by reason, from now on. */
    public void bind(JetStreamQueue queue) {
        queue.deadLetters().ifPresent(d -> d.observer((name, reason) -> Counter.builder("queue.worker.dead.letters")
                .description("Messages moved to the dead-letter stream")
                .tags("queue_name", name, "reason", reason).register(registry).increment()));
    }
}
