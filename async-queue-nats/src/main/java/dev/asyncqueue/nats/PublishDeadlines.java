package dev.asyncqueue.nats;

import dev.asyncqueue.Threads;

import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fails publish futures the server has not confirmed within their timeout, with a {@link TimeoutException}.
 *
 * <p>{@code CompletableFuture.orTimeout} puts a timer per enqueue into one shared heap and takes it out again,
 * two lock round trips on the enqueue path for a timeout that almost never fires. Here an enqueue only
 * appends to a queue; one daemon thread sweeps every {@value #SWEEP_MILLIS} ms, so a timeout fires up to
 * that much late. Futures with the same timeout are watched in the order they were made, so their deadlines
 * are in order too and a sweep stops at the first that has not passed.
 */
final class PublishDeadlines {
    static final long SWEEP_MILLIS = 50;
    private static final Map<Long, Queue<Watched>> BY_TIMEOUT = new ConcurrentHashMap<>();
    private static final ScheduledExecutorService SWEEPER =
            Executors.newSingleThreadScheduledExecutor(Threads.named("async-queue-publish-deadlines"));

    static {
        SWEEPER.scheduleWithFixedDelay(PublishDeadlines::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    private record Watched(CompletableFuture<?> future, long deadline) {
    }

    private PublishDeadlines() {
    }

    /** Watches {@code future}, failing it if it is not complete {@code timeout} from now; returns it. */
    static <T> CompletableFuture<T> watch(CompletableFuture<T> future, Duration timeout) {
        long nanos = timeout.toNanos();
        BY_TIMEOUT.computeIfAbsent(nanos, n -> new ConcurrentLinkedQueue<>())
                .add(new Watched(future, System.nanoTime() + nanos));
        return future;
    }

    private static void sweep() {
        long now = System.nanoTime();
        for (Queue<Watched> watched : BY_TIMEOUT.values()) {
            Watched head;
            while ((head = watched.peek()) != null) {
                if (!head.future.isDone() && now - head.deadline < 0) break;
                watched.poll();
                if (!head.future.isDone()) {
                    head.future.completeExceptionally(new TimeoutException("not confirmed in time"));
                }
            }
        }
    }
}
