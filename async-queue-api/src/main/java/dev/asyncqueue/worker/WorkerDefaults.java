package dev.asyncqueue.worker;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.LimiterLookup;

import java.time.Duration;
import java.util.Optional;

/** What a {@link QueueWorker} takes from its consumer and its limiters when it is not told. */
final class WorkerDefaults {
    /** The keep-alive interval at most, when the worker derives it. */
    static final Duration MAX_KEEP_ALIVE = Duration.ofSeconds(10);

    private WorkerDefaults() {
    }

    /** The name given, else the queue the consumer drains. */
    static String name(String given, ConsumerStrategy consumer) {
        if (given != null) return given;
        return consumer == null ? Invocation.DEFAULT_QUEUE : consumer.queue().orElse(Invocation.DEFAULT_QUEUE);
    }

    /**
     * The interval given, which must be shorter than the consumer's ack wait, or else a third of the ack wait
     * (at most {@link #MAX_KEEP_ALIVE}), so a call outliving the ack wait is never delivered a second time.
     */
    static Duration keepAliveInterval(Duration given, ConsumerStrategy consumer) {
        Optional<Duration> ackWait = consumer == null ? Optional.empty() : consumer.ackWait();
        if (given == null) {
            Duration third = ackWait.map(wait -> wait.dividedBy(3)).filter(d -> !d.isZero()).orElse(MAX_KEEP_ALIVE);
            return third.compareTo(MAX_KEEP_ALIVE) < 0 ? third : MAX_KEEP_ALIVE;
        }
        if (ackWait.isPresent() && given.compareTo(ackWait.get()) >= 0) {
            throw new IllegalArgumentException("keepAliveInterval " + given + " must be shorter than the consumer's"
                    + " ack wait " + ackWait.get() + ", or calls running longer are delivered again");
        }
        return given;
    }

    /** As set, else on exactly when the limiters may hold a function back. */
    static boolean rejectionsWaitInQueue(Boolean given, LimiterLookup limiters) {
        return given != null ? given : limiters.limits();
    }
}
