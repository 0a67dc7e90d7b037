package dev.asyncqueue.worker;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The calls a worker holds and the slots they take: never more than {@code max_inflight}, so the worker
 * pulls only what it can start. Whoever waits for room (the dispatcher) or for the calls to end (close)
 * waits here, and is woken when a call ends.
 */
final class InFlight {
    private static final Logger log = LoggerFactory.getLogger(QueueWorker.class);

    private final Semaphore slots;
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();
    private final Object changed = new Object();
    private final Ticker ticker;

    InFlight(int maxInflight, Ticker ticker) {
        this.slots = new Semaphore(maxInflight);
        this.ticker = ticker;
    }

    /** Takes every free slot, waiting up to {@code wait} for the first; 0 when none came free. */
    int takeFree(Duration wait) throws InterruptedException {
        if (!slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) return 0;
        return 1 + slots.drainPermits();
    }

    /** Gives back slots that no call took. */
    void giveBack(int count) {
        if (count > 0) slots.release(count);
    }

    /** The call holds one of the slots taken from here on. */
    void add(Call call) {
        calls.add(call);
    }

    /** Drops the call; true only the first time, when its slot must then be {@link #freeSlot() freed}. */
    boolean remove(Call call) {
        return calls.remove(call);
    }

    /** A removed call's slot is free again; whoever waits is woken. */
    void freeSlot() {
        slots.release();
        wake();
    }

    /** Wakes whoever waits here, e.g. because the worker is stopping. */
    void wake() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    /** Waits up to {@code millis} for a call to end or a {@link #wake()}, if {@code stillWanted} holds when the wait begins. */
    void await(long millis, BooleanSupplier stillWanted) throws InterruptedException {
        synchronized (changed) {
            if (stillWanted.getAsBoolean()) changed.wait(Math.max(1, millis));
        }
    }

    /** Waits until no call is held or {@code wait} has passed. */
    void awaitEmpty(Duration wait) {
        long deadline = ticker.read() + wait.toNanos();
        synchronized (changed) {
            while (!calls.isEmpty()) {
                long left = deadline - ticker.read();
                if (left <= 0) break;
                try {
                    TimeUnit.NANOSECONDS.timedWait(changed, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /**
     * Tells the queue that every call not told so for {@code interval} is still in progress. One sweep for
     * all calls instead of a timer per call keeps scheduling off the per-message path; run every half
     * interval, a call is told alive at most one and a half intervals apart.
     */
    void keepAlive(Duration interval) {
        long now = ticker.read();
        long nanos = interval.toNanos();
        for (Call call : calls) {
            if (call.keepAliveDue(now, nanos)) keepAlive(call.delivery());
        }
    }

    private static void keepAlive(Delivery delivery) {
        try {
            delivery.keepAlive();
        } catch (RuntimeException e) {
            log.debug("keep-alive for {} failed: {}", delivery.position(), e.toString());
        }
    }

    /**
     * The calls whose function was called at least {@code limit} before now and is still awaited by
     * nobody else (not settled, cancelled or abandoned yet).
     */
    List<Call> overdue(Duration limit) {
        long now = ticker.read();
        long nanos = limit.toNanos();
        List<Call> overdue = new ArrayList<>();
        for (Call call : calls) {
            if (call.invoked() && !call.isSettled() && now - call.startedAt() >= nanos) overdue.add(call);
        }
        return overdue;
    }

    /** The calls held now. */
    List<Call> snapshot() {
        return List.copyOf(calls);
    }

    int size() {
        return calls.size();
    }
}
