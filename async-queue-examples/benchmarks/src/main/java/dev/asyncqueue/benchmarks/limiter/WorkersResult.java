package dev.asyncqueue.benchmarks.limiter;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one run with several worker processes measured, beside its oracle.
 *
 * @param workers      worker processes started at the beginning
 * @param names        every worker's name in start order, the added one last
 * @param invocations  invocations enqueued
 * @param drained      whether every call id was answered 200 before the time-out
 * @param firstCallAt  seconds from the start of enqueueing to the burst's first call reaching the function
 * @param drainTime    the burst's first call reaching the function to the last call id's first 200
 * @param settled      whether the queue was empty (every message acknowledged) at the end
 * @param received     calls the function received
 * @param rejected     of those, answered 429
 * @param lost         call ids never answered 200
 * @param duplicates   calls answered 200 for a call id already answered 200 (at-least-once delivery)
 * @param killed       the worker killed with SIGKILL, if any
 * @param killAt       seconds from the start of enqueueing to the kill, -1 without one
 * @param added        the worker added mid-run, if any
 * @param addAt        seconds from the start of enqueueing to the added worker's start, -1 without one
 * @param callTime     the function's call time, the round trip settling is counted in
 * @param oracle       the oracle's run on a fresh farm with the same burst
 * @param samples      samples taken every sampling period
 * @param farmHistory  the autoscaler's decisions
 */
record WorkersResult(int workers, List<String> names, int invocations, boolean drained, double firstCallAt,
                     Duration drainTime,
                     boolean settled, long received, long rejected, int lost, int duplicates, Optional<String> killed,
                     double killAt, Optional<String> added, double addAt, Duration callTime, OracleDriver.Result oracle,
                     List<WorkerSample> samples, List<FarmSample> farmHistory) {

    /** Copies the lists. */
    WorkersResult {
        names = List.copyOf(names);
        samples = List.copyOf(samples);
        farmHistory = List.copyOf(farmHistory);
    }

    /** 429s as a share of the calls received, 0 when none were. */
    double rejectedShare() {
        return received == 0 ? 0 : (double) rejected / received;
    }

    /** Drain time over the oracle's. */
    double drainOverOracle() {
        return (double) drainTime.toNanos() / oracle.drainTime().toNanos();
    }
}
