package dev.asyncqueue.benchmarks.limiter;

import dev.asyncqueue.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The replicas of the simulated function: admits a call while fewer than {@code callsPerReplica x
 * replicas} run, and lets the autoscaler add or remove replicas. No threads; time comes from the
 * injected {@link Ticker}, so tests drive it step by step. Thread-safe.
 */
final class ReplicaPool {
    private final FarmSettings settings;
    private final Ticker ticker;
    private final long started;
    private final List<FarmSample> history = new ArrayList<>();

    private int replicas;
    private int running;
    private long arrivedTotal;
    private long rejectedTotal;
    private long completedTotal;

    // The current scale interval.
    private long intervalStart;
    private long lastChange;
    private double runningNanos;
    private long arrivedInInterval;
    private long rejectedInInterval;
    /** When something last arrived or ran; idleness is measured from here. */
    private long lastActivity;

    ReplicaPool(FarmSettings settings, Ticker ticker) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.started = ticker.read();
        this.replicas = settings.minReplicas();
        this.intervalStart = started;
        this.lastChange = started;
        this.lastActivity = started;
    }

    /** Starts the autoscaler's current interval now, forgetting what came before it. */
    synchronized void restartInterval() {
        long now = advance();
        intervalStart = now;
        runningNanos = 0;
        arrivedInInterval = 0;
        rejectedInInterval = 0;
    }

    /** Admits one call (it then runs until {@link #finish()}), or refuses it: the caller answers 429. */
    synchronized boolean tryAdmit() {
        long now = advance();
        arrivedTotal++;
        arrivedInInterval++;
        lastActivity = now;
        if (running >= capacity()) {
            rejectedTotal++;
            rejectedInInterval++;
            return false;
        }
        running++;
        return true;
    }

    /** One admitted call has ended. */
    synchronized void finish() {
        if (running == 0) throw new IllegalStateException("finish without an admitted call");
        lastActivity = advance();
        running--;
        completedTotal++;
    }

    /** The autoscaler's decision at the end of a scale interval; the caller runs it every {@code scaleInterval}. */
    synchronized FarmSample autoscale() {
        long now = advance();
        long length = Math.max(1, now - intervalStart);
        double meanLoad = runningNanos / length;
        if (rejectedInInterval > 0 || meanLoad >= settings.scaleUpLoad() * capacity()) {
            replicas = Math.min(settings.maxReplicas(), replicas + 1);
        } else if (running == 0 && now - lastActivity >= settings.idleBeforeScaleDown().toNanos()) {
            replicas = Math.max(settings.minReplicas(), replicas - 1);
        }
        FarmSample sample = new FarmSample(Duration.ofNanos(now - started), replicas, capacity(), meanLoad,
                arrivedInInterval, rejectedInInterval);
        history.add(sample);
        intervalStart = now;
        runningNanos = 0;
        arrivedInInterval = 0;
        rejectedInInterval = 0;
        return sample;
    }

    /** Accounts the time since the last change at the current concurrency; returns now. */
    private long advance() {
        long now = ticker.read();
        runningNanos += (double) running * (now - lastChange);
        lastChange = now;
        if (running > 0) lastActivity = now;
        return now;
    }

    synchronized int replicas() {
        return replicas;
    }

    /** Concurrent calls accepted now: {@code callsPerReplica x replicas}. */
    synchronized int capacity() {
        return settings.callsPerReplica() * replicas;
    }

    /** Calls running now. */
    synchronized int running() {
        return running;
    }

    /** Calls that arrived, accepted or not. */
    synchronized long arrived() {
        return arrivedTotal;
    }

    /** Calls answered 429. */
    synchronized long rejected() {
        return rejectedTotal;
    }

    /** Admitted calls that have ended. */
    synchronized long completed() {
        return completedTotal;
    }

    /** Every autoscaler decision so far, oldest first. */
    synchronized List<FarmSample> history() {
        return List.copyOf(history);
    }

    FarmSettings settings() {
        return settings;
    }
}
