package dev.asyncqueue.nats;

import dev.asyncqueue.internal.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one thread of a consumer strategy that keeps alive what waits in its pull sessions' inboxes: messages that
 * arrived after the fetch that asked for them stopped waiting, and sit there until a fetch with room takes them.
 * Each session's task runs every third of {@code ack_wait}, so a message is never left unacknowledged for longer
 * than that, however long the worker is too busy to fetch.
 */
final class InboxKeepAlive implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InboxKeepAlive.class);
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ScheduledExecutorService timer;
    private final long periodNanos;

    InboxKeepAlive(String name, Duration ackWait) {
        this.periodNanos = Math.max(ackWait.toNanos() / 3, MIN_PERIOD_NANOS);
        this.timer = Executors.newSingleThreadScheduledExecutor(Threads.named("async-queue-inbox-" + name));
    }

    /** The time between two keep-alives of one session. */
    Duration period() {
        return Duration.ofNanos(periodNanos);
    }

    /** Runs {@code keep} every period until the handle is cancelled or this closes; null once closed. */
    ScheduledFuture<?> every(Runnable keep) {
        try {
            return timer.scheduleWithFixedDelay(() -> {
                try {
                    keep.run();
                } catch (RuntimeException e) {
                    // A task that throws is never run again: this one must go on for the session's life.
                    log.debug("keeping an inbox alive failed: {}", e.toString());
                }
            }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    /** Stops the thread; sessions still open keep what waits in their inboxes no longer. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
