package dev.asyncqueue.http;

import dev.asyncqueue.internal.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends exchanges that outlive their deadline. One thread looks over the exchanges in flight every
 * {@link #TICK} while there are any, and sleeps while there are none, so starting and ending an exchange
 * takes no lock and schedules no timer: a deadline fires within a tick after it passes.
 */
final class DeadlineSweep {
    private static final Logger log = LoggerFactory.getLogger(DeadlineSweep.class);
    /** How late past its deadline an exchange may end; short beside any timeout worth setting. */
    static final Duration TICK = Duration.ofMillis(10);

    /** An exchange with a deadline. */
    interface Expiring {
        /** When it must have ended, in {@link System#nanoTime()} terms. */
        long deadlineNanos();

        /** Ends it as timed out and aborts it; called once, on the sweep's thread. */
        void expire();
    }

    private final Set<Expiring> inFlight = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean idle;
    private volatile boolean closed;

    /** Starts the sweep's thread, called {@code name}. */
    DeadlineSweep(String name) {
        this.thread = Threads.named(name).newThread(this::sweep);
        thread.start();
    }

    /** Watches {@code exchange} until {@link #remove} or its deadline. */
    void add(Expiring exchange) {
        inFlight.add(exchange);
        if (idle) LockSupport.unpark(thread);
    }

    /** Stops watching {@code exchange}: it ended. */
    void remove(Expiring exchange) {
        inFlight.remove(exchange);
    }

    /** Stops the thread and hands back the exchanges still watched, for the caller to fail. */
    List<Expiring> close() {
        closed = true;
        LockSupport.unpark(thread);
        List<Expiring> left = new ArrayList<>(inFlight);
        inFlight.clear();
        return left;
    }

    private void sweep() {
        while (!closed) {
            if (inFlight.isEmpty()) {
                idle = true;
                // Checked again after saying so: an exchange added meanwhile has seen the flag and unparks.
                if (inFlight.isEmpty() && !closed) LockSupport.park(this);
                idle = false;
                continue;
            }
            LockSupport.parkNanos(this, TICK.toNanos());
            long now = System.nanoTime();
            for (Expiring exchange : inFlight) {
                if (now - exchange.deadlineNanos() >= 0 && inFlight.remove(exchange)) {
                    try {
                        exchange.expire();
                    } catch (RuntimeException e) {
                        // One exchange that cannot be aborted must not stop the deadlines of the others.
                        log.warn("aborting an exchange past its deadline failed", e);
                    }
                }
            }
        }
    }
}
