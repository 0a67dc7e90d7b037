package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;

import java.time.Duration;

/**
 * The adaptive algorithm: a pure state machine fed with grants, releases and their timestamps.
 *
 * <p>Not thread-safe; {@link AdaptiveConcurrencyLimiter} serialises the events. Every decision is a
 * function of the events seen so far, so tests drive it event by event. The timestamps only feed the
 * round-trip estimate shown in {@link #toString()}: round trips are delimited by events (see
 * {@link Grant#epoch()}), not by a timer, because 429s come back in milliseconds while successes take
 * as long as the function runs, and no single timer fits both.
 *
 * <p>See {@link AdaptiveConcurrencyLimiter} for the behaviour and the reasoning behind the constants.
 */
final class AdaptiveLimit {

    /** The ceiling before the first 429: nothing is known about the function's capacity yet. */
    static final int UNKNOWN = Integer.MAX_VALUE;

    /** Where the limit stands relative to the estimated capacity. */
    enum Phase {
        /** No 429 seen yet: grow by one per success, about doubling every round trip. */
        STARTUP,
        /** Below the ceiling after a 429: climb back, up to the whole gap per round trip. */
        RECOVERING,
        /** At the ceiling: count successful calls until it is time to probe. */
        HOLDING,
        /** Above the ceiling: each level that holds raises the next step, doubling it. */
        PROBING
    }

    /**
     * What the algorithm remembers about one granted call.
     *
     * @param epoch        the decrease count when granted; a grant from an older epoch was sent under a
     *                     limit since judged too high, so its success proves nothing
     * @param concurrency  permits in flight when granted, this one included: for a 429, proof that the
     *                     function refused at that concurrency; for a success, that it held it
     * @param limitAtGrant the limit when granted, to tell whether the limit was what held the function back
     * @param grantedAt    ticker reading when granted
     */
    record Grant(long epoch, int concurrency, int limitAtGrant, long grantedAt) {
    }

    private final int minLimit;
    private final int maxLimit;
    private final int marginPercent;
    private final int probeMinCalls;
    private final int probeMaxCalls;

    private int limit;
    private int inFlight;
    private int ceiling = UNKNOWN;
    /** The lowest concurrency-minus-one at which a 429 came back, until a later success proves more. */
    private int refusedAbove = UNKNOWN;
    private long epoch;
    private double credit;
    private int heldCalls;
    private int probeWait;
    private int probeStep = 1;
    private boolean probeFoundCapacity;
    private long smoothedRttNanos = -1;

    AdaptiveLimit(int initialLimit, int minLimit, int maxLimit, int marginPercent, int probeMinCalls, int probeMaxCalls) {
        if (minLimit < 1 || maxLimit < minLimit || initialLimit < minLimit || initialLimit > maxLimit) {
            throw new IllegalArgumentException("need 1 <= min <= initial <= max, got min=" + minLimit
                    + " initial=" + initialLimit + " max=" + maxLimit);
        }
        if (marginPercent < 0 || marginPercent > 90) {
            throw new IllegalArgumentException("margin must be 0..90 percent, got " + marginPercent);
        }
        if (probeMinCalls < 1 || probeMaxCalls < probeMinCalls) {
            throw new IllegalArgumentException("need 1 <= probe min calls <= probe max calls, got "
                    + probeMinCalls + " and " + probeMaxCalls);
        }
        this.limit = initialLimit;
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.marginPercent = marginPercent;
        this.probeMinCalls = probeMinCalls;
        this.probeMaxCalls = probeMaxCalls;
        this.probeWait = probeMinCalls;
    }

    /** A grant when a call may start now, {@code null} when the limit is reached. */
    Grant tryAcquire(long now) {
        if (inFlight >= limit) {
            return null;
        }
        inFlight++;
        return new Grant(epoch, inFlight, limit, now);
    }

    /** Takes back a grant and learns from its outcome; the caller guarantees each grant comes back once. */
    void release(Grant grant, Outcome outcome, long now) {
        if (inFlight <= 0) {
            throw new IllegalStateException("release without a matching grant");
        }
        inFlight--;
        switch (outcome) {
            case SUCCESS -> onSuccess(grant, now);
            case REJECTED -> onRejected(grant);
            // A 5xx or a transport failure says nothing reliable about capacity (a bug, a crash, a
            // missing replica), and retries already pace those; neither raises nor lowers.
            case FAILED, IGNORED -> {
            }
        }
    }

    private void onSuccess(Grant grant, long now) {
        long rtt = Math.max(0, now - grant.grantedAt());
        smoothedRttNanos = smoothedRttNanos < 0 ? rtt : smoothedRttNanos + (rtt - smoothedRttNanos) / 8;

        int concurrency = grant.concurrency();
        if (grant.epoch() != epoch) {
            // Sent before the latest cut, typically in the very round trip that was cut: it still shows
            // how much the function held, unless a 429 at or below its concurrency says the capacity
            // has shrunk since. Without this the estimate would depend on whether the successes or the
            // 429s of an overload came back first.
            if (ceiling != UNKNOWN && concurrency > ceiling && concurrency <= refusedAbove) {
                ceiling = concurrency;
                limit = Math.max(limit, marginBelow(ceiling));
            }
            return;
        }
        // Only a call started while at least half the limit was in use shows the limit mattered;
        // without this an idle function's limit would grow with every success. Half rather than
        // "full" because a worker that fills the limit in one batch sees the early grants of the
        // batch at low concurrency. Half of the limit now as well as at the grant, or calls granted
        // before the limit grew would keep raising it. The effect: a limit never grows past twice
        // the concurrency actually reached, plus one.
        if (2L * concurrency < Math.max(grant.limitAtGrant(), limit)) {
            return;
        }
        switch (phase()) {
            case STARTUP -> limit = (int) Math.min(maxLimit, limit + 1L);
            case RECOVERING -> recover();
            case HOLDING -> hold();
            case PROBING -> probe(concurrency);
        }
    }

    private void recover() {
        double gap = ceiling - limit;
        credit += Math.max(1.0, gap) / limit;
        int whole = (int) credit;
        if (whole > 0) {
            credit -= whole;
            limit = Math.min(ceiling, limit + whole);
        }
        if (limit >= ceiling) {
            credit = 0;
            heldCalls = 0;
        }
    }

    private void hold() {
        if (limit >= maxLimit) {
            return;
        }
        if (++heldCalls >= probeWait) {
            heldCalls = 0;
            probeStep = 1;
            probeFoundCapacity = false;
            limit = limit + 1;
        }
    }

    private void probe(int concurrency) {
        if (concurrency <= ceiling) {
            return;
        }
        ceiling = concurrency;
        if (concurrency > refusedAbove) {
            refusedAbove = UNKNOWN;
        }
        probeFoundCapacity = true;
        // Capacity grew (replicas were added): the next probe may come early again.
        probeWait = probeMinCalls;
        if (ceiling >= limit) {
            probeStep = (int) Math.min(maxLimit, 2L * probeStep);
            limit = (int) Math.min(maxLimit, (long) limit + probeStep);
        }
    }

    private void onRejected(Grant grant) {
        // The function refused while grant.concurrency() of our calls were running, so what it holds
        // is below that. Taking the lowest such evidence makes the decrease idempotent: a burst of
        // 429s from one overload lands on the same target instead of multiplying the cut.
        int evidence = Math.max(minLimit, grant.concurrency() - 1);
        boolean probing = ceiling != UNKNOWN && limit > ceiling;
        refusedAbove = Math.min(refusedAbove, evidence);
        ceiling = Math.min(ceiling, evidence);
        int target = marginBelow(ceiling);
        if (limit <= target) {
            if (grant.epoch() == epoch) {
                // Nothing to cut (the limit is at the minimum or already below the target), but the
                // calls in flight were sent into this overload: their successes must not count
                // towards growth or the next probe.
                epoch++;
                credit = 0;
                heldCalls = 0;
            }
            return;
        }
        if (probing) {
            // A probe that found nothing: wait longer before the next, so probing costs at most one
            // 429 per probeMaxCalls successful calls once capacity is stable.
            probeWait = probeFoundCapacity ? probeMinCalls : Math.min(probeMaxCalls, probeWait * 2);
        }
        limit = target;
        epoch++;
        credit = 0;
        heldCalls = 0;
        probeStep = 1;
        probeFoundCapacity = false;
    }

    private int marginBelow(int capacity) {
        return Math.max(minLimit, (int) ((long) capacity * (100 - marginPercent) / 100));
    }

    int limit() {
        return limit;
    }

    int inFlight() {
        return inFlight;
    }

    /** The estimated capacity: the highest concurrency believed to hold; {@link #UNKNOWN} before any 429. */
    int ceiling() {
        return ceiling;
    }

    Phase phase() {
        if (ceiling == UNKNOWN) return Phase.STARTUP;
        if (limit < ceiling) return Phase.RECOVERING;
        if (limit == ceiling) return Phase.HOLDING;
        return Phase.PROBING;
    }

    @Override
    public String toString() {
        return "limit=" + limit + ", inFlight=" + inFlight
                + ", ceiling=" + (ceiling == UNKNOWN ? "unknown" : ceiling)
                + ", phase=" + phase()
                + (smoothedRttNanos < 0 ? "" : ", rtt≈" + Duration.ofNanos(smoothedRttNanos).toMillis() + "ms");
    }
}
