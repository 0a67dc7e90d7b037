package dev.asyncqueue.worker;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Delivery;
import dev.asyncqueue.WorkSource;
import dev.asyncqueue.testing.InMemoryQueue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The in-memory queue's work shown as one function's source, so the worker asks the limiter before pulling. */
final class OneFunctionStrategy implements ConsumerStrategy {
    private final InMemoryQueue queue;
    private final String function;

    OneFunctionStrategy(InMemoryQueue queue, String function) {
        this.queue = queue;
        this.function = function;
    }

    @Override
    public void start() {
        queue.start();
    }

    @Override
    public List<WorkSource> sources() {
        WorkSource shared = queue.sources().get(0);
        return List.of(new WorkSource() {
            @Override
            public Optional<String> function() {
                return Optional.of(function);
            }

            @Override
            public int fetch(int max, Duration maxWait, Consumer<Delivery> sink) throws InterruptedException {
                return shared.fetch(max, maxWait, sink);
            }
        });
    }

    @Override
    public void close() {
        queue.close();
    }
}
