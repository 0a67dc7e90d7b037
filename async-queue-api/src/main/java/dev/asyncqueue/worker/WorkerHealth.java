package dev.asyncqueue.worker;

import dev.asyncqueue.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The worker's {@link WorkerState} and what it says about it: each change goes to the listener once, and a
 * pull failure is logged as a warning when it starts, then at most once per {@link #REMINDER} while it lasts,
 * so an outage does not fill the log with a line per pull. Changes come from the dispatcher thread and from
 * {@code start} and {@code close}.
 */
final class WorkerHealth {
    private static final Logger log = LoggerFactory.getLogger(QueueWorker.class);
    static final Duration REMINDER = Duration.ofMinutes(1);

    private final String name;
    private final WorkerListener listener;
    private final Ticker ticker;
    private volatile WorkerState state = WorkerState.NEW;
    private long failures;
    private long lastWarning;

    WorkerHealth(String name, WorkerListener listener, Ticker ticker) {
        this.name = name;
        this.listener = listener;
        this.ticker = ticker;
    }

    WorkerState state() {
        return state;
    }

    void started() {
        change(WorkerState.RUNNING, "started");
    }

    void stopped() {
        change(WorkerState.STOPPED, "closed");
    }

    /** A round of pulls went through; a degraded worker is running again. */
    void pulled() {
        if (state != WorkerState.DEGRADED) return;
        if (change(WorkerState.RUNNING, "pulls succeed again")) {
            log.info("pulling from queue {} works again after {} failed pull(s)", name, failures);
            failures = 0;
        }
    }

    /** A pull failed, and the transport is still open: warned about once, then at most once a reminder. */
    void pullFailed(RuntimeException e) {
        failures++;
        long now = ticker.read();
        if (change(WorkerState.DEGRADED, e.toString())) {
            lastWarning = now;
            log.warn("pulling from queue {} failed: {}; trying again every poll, warning again at most every {}",
                    name, e.toString(), REMINDER);
        } else if (now - lastWarning >= REMINDER.toNanos()) {
            lastWarning = now;
            log.warn("pulling from queue {} still fails after {} attempts: {}", name, failures, e.toString());
        } else {
            log.debug("pulling from queue {} failed: {}", name, e.toString());
        }
        log.debug("pull failure", e);
    }

    /** The consumer's transport closed for good: said once, as an error; the dispatcher stops. */
    void transportClosed() {
        if (change(WorkerState.TRANSPORT_CLOSED, "the connection to the queue is closed")) {
            log.error("queue-worker {} stops pulling: the connection to the queue is closed for good; close this worker"
                    + " and build a new one on a new connection", name);
        }
    }

    /** Moves to {@code next} unless already there or stopped; true when it moved (the listener heard). */
    private boolean change(WorkerState next, String why) {
        synchronized (this) {
            if (state == next || state == WorkerState.STOPPED) return false;
            if (state == WorkerState.TRANSPORT_CLOSED && next != WorkerState.STOPPED) return false;
            state = next;
        }
        try {
            listener.stateChanged(next, why);
        } catch (RuntimeException e) {
            log.warn("worker listener failed on state {}: {}", next, e.toString());
        }
        return true;
    }
}
