package dev.asyncqueue.nats;

import dev.asyncqueue.internal.Threads;

import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Fails publish futures the server has not confirmed within their timeout, with a {@link TimeoutException}.
 *
 * <p>{@code CompletableFuture.orTimeout} puts a timer per enqueue into one shared heap and takes it out again,
 * two lock round trips on the enqueue path for a timeout that almost never fires. Here an enqueue only
 * appends to a queue; one daemon thread sweeps every {@value #SWEEP_MILLIS} ms, so a timeout fires up to
 * that much late. Futures with the same timeout are watched in the order they were made, so their deadlines
 * are in order too and a sweep stops at the first that has not passed.
 *
 * <p>The sweeping thread runs only while there is something to watch: it ends after
 * {@value #IDLE_SWEEPS} sweeps in a row found nothing, and the next {@link #watch} starts a new one. So no
 * thread outlives the last publish (an application server can unload the library), and a steady stream of
 * enqueues does not pay for a thread start each.
 */
final class PublishDeadlines {
    static final long SWEEP_MILLIS = 50;
    /** Empty sweeps before the thread ends: about a second of quiet. */
    static final int IDLE_SWEEPS = 20;
    private static final Map<Long, Queue<Watched>> BY_TIMEOUT = new ConcurrentHashMap<>();
    private static final ThreadFactory THREADS = Threads.named("async-queue-publish-deadlines");
    /** True while a sweeping thread runs (or is about to); set before its start, cleared by the thread itself. */
    private static final AtomicBoolean SWEEPING = new AtomicBoolean();

    private record Watched(CompletableFuture<?> future, long deadline) {
    }

    private PublishDeadlines() {
    }

    /** Watches {@code future}, failing it if it is not complete {@code timeout} from now; returns it. */
    static <T> CompletableFuture<T> watch(CompletableFuture<T> future, Duration timeout) {
        long nanos = timeout.toNanos();
        BY_TIMEOUT.computeIfAbsent(nanos, n -> new ConcurrentLinkedQueue<>())
                .add(new Watched(future, System.nanoTime() + nanos));
        // Added first, read second: a sweeper deciding to end re-checks after clearing the flag, so the
        // future is either seen by it or by the sweeper started here.
        if (!SWEEPING.get() && SWEEPING.compareAndSet(false, true)) {
            THREADS.newThread(PublishDeadlines::sweepWhileWatching).start();
        }
        return future;
    }

    /** Whether a sweeping thread runs now (for tests). */
    static boolean sweeping() {
        return SWEEPING.get();
    }

    private static void sweepWhileWatching() {
        int idle = 0;
        while (true) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SWEEP_MILLIS));
            idle = sweep() ? 0 : idle + 1;
            if (idle < IDLE_SWEEPS) continue;
            SWEEPING.set(false);
            // A watch that came in between either saw the flag still set (its future is seen here) or
            // starts its own sweeper: whoever wins the flag goes on.
            if (nothingWatched() || !SWEEPING.compareAndSet(false, true)) return;
            idle = 0;
        }
    }

    /** One pass; true when something was still watched. */
    private static boolean sweep() {
        long now = System.nanoTime();
        boolean watching = false;
        for (Queue<Watched> watched : BY_TIMEOUT.values()) {
            Watched head;
            while ((head = watched.peek()) != null) {
                if (!head.future.isDone() && now - head.deadline < 0) break;
                watched.poll();
                if (!head.future.isDone()) {
                    head.future.completeExceptionally(new TimeoutException("not confirmed in time"));
                }
            }
            watching |= !watched.isEmpty();
        }
        return watching;
    }

    private static boolean nothingWatched() {
        for (Queue<Watched> watched : BY_TIMEOUT.values()) {
            if (!watched.isEmpty()) return false;
        }
        return true;
    }
}
