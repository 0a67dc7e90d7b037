package dev.asyncqueue.examples.readme;

// tag::function-mode[]
import dev.asyncqueue.Invoker;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.nats.FunctionConsumerStrategy;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.worker.QueueWorker;
// end::function-mode[]

/** Function mode with the adaptive limiter, as the README shows it. */
final class PacedWorker {
    private PacedWorker() {
    }

    // tag::function-mode[]
    static QueueWorker start(JetStreamQueue queue, Invoker invoker) {
        QueueWorker worker = QueueWorker.builder()
                .consumer(FunctionConsumerStrategy.builder(queue).build())                  // a consumer per function
                .limiters(LimiterRegistry.fromSettings(Settings.empty(), Ticker.system())) // adaptive, per function
                .invoker(invoker)
                .build();
        worker.start();
        return worker;
    }
    // end::function-mode[]
}
