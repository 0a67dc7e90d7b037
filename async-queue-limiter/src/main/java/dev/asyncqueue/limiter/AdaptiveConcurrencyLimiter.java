package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.spi.LimiterCoordination;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Paces one function to the concurrency it can take, learned from its answers: 2xx raise the limit,
 * 429s lower it, and while work waits it probes for capacity added since.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li><b>Startup.</b> Starts at {@code initialLimit} and adds one per counted success (see below), so
 *   the limit grows 1.5 to 2 times every round trip until the first 429.</li>
 *   <li><b>A 429.</b> A call rejected while {@code n} calls were in flight (itself included) shows the
 *   function holds fewer than {@code n}: the <em>ceiling</em> (estimated capacity) becomes at most
 *   {@code n - 1} and the limit drops to {@code ceiling * (100 - marginPercent) / 100}, a safety margin
 *   below it. The cut is computed from the lowest concurrency at which the function refused, not from
 *   the current limit, so the burst of 429s one overload produces lands on a single target instead of
 *   cutting once per 429. Cutting lower takes a refusal at a lower concurrency, which needs calls sent
 *   under the lowered limit: at most one cut per round trip.</li>
 *   <li><b>Recovery.</b> Below the ceiling each counted success adds {@code max(1, gap) / limit}: a
 *   round trip in which every call counts closes the gap, one in which half count closes half of it.</li>
 *   <li><b>Probing.</b> At the ceiling, after {@code probeWait} successful calls the limit goes one
 *   above it. If that level holds (a call at that concurrency succeeds) the ceiling rises and the step
 *   doubles (+1, +2, +4, ...), so added replicas are found in a logarithmic number of round trips. If
 *   it is refused, {@code probeWait} doubles, from {@code probeMinCalls} up to {@code probeMaxCalls},
 *   so against a stable capacity probing costs one 429 per {@code probeMaxCalls} successes. A probe
 *   that finds capacity resets the wait.</li>
 *   <li><b>Shrinking capacity</b> (replicas removed) shows as 429s at a lower concurrency, which lower
 *   the ceiling as above.</li>
 *   <li>{@link Outcome#FAILED} (5xx, transport) and {@link Outcome#IGNORED} never move the limit.</li>
 * </ul>
 *
 * <p><b>Growth needs use.</b> A success only counts when at least half the limit was in flight when
 * its call started, half of that limit and of the limit now; otherwise the limit was not what held the
 * function back, and an idle function's limit would grow forever. So the limit never exceeds
 * {@code max(initialLimit, 2 x peak in-flight + 1)}. Successes of calls granted before the latest cut
 * do not count either. Callers should release permits they end up not using with
 * {@link Outcome#IGNORED} promptly, and use the permits granted first, so that the in-flight count a
 * used call saw is real concurrency.
 *
 * <h2>Constants (builder method, setting, default)</h2>
 * <table>
 *   <caption>Tuning</caption>
 *   <tr><th>builder</th><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>{@link Builder#initialLimit}</td><td>{@code limiter_initial}</td><td>2</td>
 *       <td>at most one 429 if the function takes a single call; doubling makes up the rest fast</td></tr>
 *   <tr><td>{@link Builder#minLimit}</td><td>{@code limiter_min}</td><td>1</td>
 *       <td>a function that refuses everything still gets one call to show it recovered</td></tr>
 *   <tr><td>{@link Builder#maxLimit}</td><td>{@code limiter_max}</td><td>1000</td>
 *       <td>a bound on what a mistaken probe can send; the worker's own {@code max_inflight} usually
 *       binds first</td></tr>
 *   <tr><td>{@link Builder#marginPercent}</td><td>{@code limiter_margin_percent}</td><td>10</td>
 *       <td>room for capacity that fluctuates or is shared; recovery takes back most of it within a
 *       few round trips</td></tr>
 *   <tr><td>{@link Builder#probeAfterCalls}</td><td>{@code limiter_probe_min_calls}</td><td>10 alone, 5 in a group</td>
 *       <td>follow an autoscaler that is adding replicas within a few round trips; a group probes a call
 *       at a time, so a failed probe costs it one 429 and it can afford to probe sooner</td></tr>
 *   <tr><td>{@link Builder#probeAfterCalls}</td><td>{@code limiter_probe_max_calls}</td><td>100</td>
 *       <td>a failed probe costs one 429, so this bounds probing to about 1 % of calls</td></tr>
 * </table>
 *
 * <p>What the defaults achieve, checked by the module's property tests against a simulated function of
 * capacity C from 1 to 200 (a backlog always waiting, one round trip per step): the limit settles in
 * {@code [max(1, floor(0.9 C)), C + 1]} within {@code 2 ceil(log2(C + 1)) + 2} round trips; fewer than
 * 2 % of calls are refused over 2,000 round trips (about 1 % at C = 1, under 0.2 % from C = 50); after
 * the capacity steps from C1 to C2 the limit is back in C2's band within
 * {@code ceil(100 / (floor(min(C1, C2) / 2) + 1)) + 2 ceil(log2(max(C1, C2) + 1)) + 4} round trips,
 * the first term being the longest wait before a probe.
 *
 * <h2>Several replicas</h2>
 * With a {@link Builder#coordination coordination} other than {@link LimiterCoordination#none()}, the
 * limiter is one member of the group of worker replicas pacing the function: the members agree on one
 * estimated capacity for all of them, each keeps its limit at its share of it, a 429 anywhere cuts every
 * member, and one member grows and probes for the group, a probe call at a time. The limits of the
 * members add up to the group's; a member's may be 0 when the function takes fewer calls than there are
 * members. Members start at {@code limiter_min} rather than {@code limiter_initial}; the other settings
 * keep their meaning for the group ({@code limiter_min} bounds the group's estimate, not each share).
 * A member's limit also moves when the others' word arrives or a probe call outlives a 429's round trip,
 * so it may change on any acquire or release, whatever its outcome. See {@code docs/LIMITER-MULTI.md} for
 * the rules, the reasons and the measured bounds. Closing the limiter leaves the group.
 *
 * <p>Thread-safe: a lock serialises the decisions, so the dispatcher can acquire while HTTP client
 * threads release. Time comes only from the injected {@link Ticker}.
 */
public final class AdaptiveConcurrencyLimiter implements ConcurrencyLimiter, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdaptiveConcurrencyLimiter.class);

    /** Setting for the limit a new function starts at. */
    public static final String INITIAL_SETTING = "limiter_initial";
    /** Setting for the lowest limit. */
    public static final String MIN_SETTING = "limiter_min";
    /** Setting for the highest limit. */
    public static final String MAX_SETTING = "limiter_max";
    /** Setting for how far below the estimated capacity a 429 drops the limit, in percent. */
    public static final String MARGIN_SETTING = "limiter_margin_percent";
    /** Setting for the successful calls at the ceiling before the first probe. */
    public static final String PROBE_MIN_CALLS_SETTING = "limiter_probe_min_calls";
    /** Setting for the most successful calls at the ceiling between probes. */
    public static final String PROBE_MAX_CALLS_SETTING = "limiter_probe_max_calls";

    static final int DEFAULT_INITIAL = 2;
    static final int DEFAULT_MIN = 1;
    static final int DEFAULT_MAX = 1000;
    static final int DEFAULT_MARGIN_PERCENT = 10;
    static final int DEFAULT_PROBE_MIN_CALLS = 10;
    /**
     * The same for a member of a coordinated group, which probes a call at a time and so pays one 429
     * per failed probe where a lone limiter, probing in doubling steps, may pay several.
     */
    static final int DEFAULT_GROUP_PROBE_MIN_CALLS = 5;
    static final int DEFAULT_PROBE_MAX_CALLS = 100;

    private final String name;
    private final Ticker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    private final Pacer algorithm;

    private AdaptiveConcurrencyLimiter(Builder b) {
        this.name = b.name;
        this.ticker = b.ticker;
        boolean alone = b.coordination == LimiterCoordination.none();
        int probeMin = b.probeMinCalls(alone);
        int probeMax = b.probeMaxCalls != null ? b.probeMaxCalls : Math.max(DEFAULT_PROBE_MAX_CALLS, probeMin);
        // Built in both cases: it checks the constants.
        AdaptiveLimit lone = new AdaptiveLimit(b.initial(), b.minLimit, b.maxLimit, b.marginPercent, probeMin, probeMax);
        this.algorithm = alone ? Pacer.alone(lone)
                : new GroupPacer(new SharedLimit(b.minLimit, b.maxLimit, b.marginPercent, probeMin, probeMax),
                        b.coordination.join(b.name));
    }

    /** A builder with the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Optional<Permit> tryAcquire() {
        Pacer.Release grant;
        lock.lock();
        try {
            grant = algorithm.tryAcquire(ticker.read());
        } finally {
            lock.unlock();
        }
        if (grant == null) {
            return Optional.empty();
        }
        return Optional.of(new SingleUsePermit(name, outcome -> release(grant, outcome)));
    }

    private void release(Pacer.Release grant, Outcome outcome) {
        boolean debug = log.isDebugEnabled();
        int before;
        int after;
        String state = null;
        lock.lock();
        try {
            before = algorithm.limit();
            grant.release(outcome, ticker.read());
            after = algorithm.limit();
            if (debug && after != before) {
                state = algorithm.toString();
            }
        } finally {
            lock.unlock();
        }
        if (state != null) {
            log.debug("{}: limit {} -> {} after {} ({})", name, before, after, outcome, state);
        }
    }

    @Override
    public int limit() {
        lock.lock();
        try {
            return algorithm.limit();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int inFlight() {
        lock.lock();
        try {
            return algorithm.inFlight();
        } finally {
            lock.unlock();
        }
    }

    /** The estimated capacity, the group's for a member of one; empty until the function first answers 429. */
    public Optional<Integer> estimatedCapacity() {
        lock.lock();
        try {
            int ceiling = algorithm.ceiling();
            return ceiling == Integer.MAX_VALUE ? Optional.empty() : Optional.of(ceiling);
        } finally {
            lock.unlock();
        }
    }

    /** Leaves the group of replicas pacing the function, if any; calls still running are released as usual. */
    @Override
    public void close() {
        lock.lock();
        try {
            algorithm.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "AdaptiveConcurrencyLimiter[" + name + ", " + algorithm + "]";
        } finally {
            lock.unlock();
        }
    }

    /** Configures an {@link AdaptiveConcurrencyLimiter}; every value has a default. */
    public static final class Builder {
        private String name = "adaptive limiter";
        private Ticker ticker = Ticker.system();
        private Integer initialLimit;
        private int minLimit = DEFAULT_MIN;
        private int maxLimit = DEFAULT_MAX;
        private int marginPercent = DEFAULT_MARGIN_PERCENT;
        private Integer probeMinCalls;
        private Integer probeMaxCalls;
        private LimiterCoordination coordination = LimiterCoordination.none();

        private Builder() {
        }

        /**
         * Makes the limiter one member of the group of replicas pacing the function through {@code
         * coordination} (default {@link LimiterCoordination#none()}: it paces alone). The group is the
         * limiter's {@link #name}: name it after the function.
         */
        public Builder coordination(LimiterCoordination coordination) {
            this.coordination = Objects.requireNonNull(coordination, "coordination");
            return this;
        }

        /** Names the limiter in logs and messages, usually after its function. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The clock (default {@link Ticker#system()}). */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** The limit to start at (default 2, or the nearest value within [min, max]). */
        public Builder initialLimit(int initialLimit) {
            this.initialLimit = initialLimit;
            return this;
        }

        /** The lowest limit, at least 1 (default 1). */
        public Builder minLimit(int minLimit) {
            this.minLimit = minLimit;
            return this;
        }

        /** The highest limit (default 1000). */
        public Builder maxLimit(int maxLimit) {
            this.maxLimit = maxLimit;
            return this;
        }

        /** How far below the estimated capacity a 429 drops the limit, 0 to 90 percent (default 10). */
        public Builder marginPercent(int marginPercent) {
            this.marginPercent = marginPercent;
            return this;
        }

        /**
         * Successful calls to hold at the estimated capacity before probing above it: {@code min} at
         * first and after a probe that found capacity, doubling per failed probe up to {@code max}
         * (defaults 10 alone, 5 in a coordinated group, and 100).
         */
        public Builder probeAfterCalls(int min, int max) {
            this.probeMinCalls = min;
            this.probeMaxCalls = max;
            return this;
        }

        /**
         * Applies the {@code limiter_*} settings that are present; absent ones keep their current value.
         *
         * @throws ConfigurationException naming the first setting that cannot be used
         */
        public Builder settings(Settings settings) {
            minLimit = settings.integer(MIN_SETTING, minLimit, 1, Integer.MAX_VALUE);
            maxLimit = settings.integer(MAX_SETTING, maxLimit, 1, Integer.MAX_VALUE);
            if (maxLimit < minLimit) {
                throw new ConfigurationException(MAX_SETTING,
                        "must be at least " + MIN_SETTING + " (" + minLimit + "), got " + maxLimit);
            }
            if (settings.get(INITIAL_SETTING).isPresent()) {
                initialLimit = settings.integer(INITIAL_SETTING, DEFAULT_INITIAL, minLimit, maxLimit);
            }
            marginPercent = settings.integer(MARGIN_SETTING, marginPercent, 0, 90);
            if (settings.get(PROBE_MIN_CALLS_SETTING).isPresent()) {
                probeMinCalls = settings.integer(PROBE_MIN_CALLS_SETTING, DEFAULT_PROBE_MIN_CALLS, 1, Integer.MAX_VALUE);
            }
            if (settings.get(PROBE_MAX_CALLS_SETTING).isPresent()) {
                int lowest = probeMinCalls != null ? probeMinCalls : 1;
                probeMaxCalls = settings.integer(PROBE_MAX_CALLS_SETTING, DEFAULT_PROBE_MAX_CALLS, lowest, Integer.MAX_VALUE);
            }
            return this;
        }

        /** The configured probe wait, else the default for a lone limiter or a group member. */
        int probeMinCalls(boolean alone) {
            if (probeMinCalls != null) return probeMinCalls;
            int fallback = alone ? DEFAULT_PROBE_MIN_CALLS : DEFAULT_GROUP_PROBE_MIN_CALLS;
            return probeMaxCalls != null ? Math.min(fallback, probeMaxCalls) : fallback;
        }

        private int initial() {
            return initialLimit != null ? initialLimit : Math.max(minLimit, Math.min(maxLimit, DEFAULT_INITIAL));
        }

        /**
         * The limiter.
         *
         * @throws IllegalArgumentException unless {@code 1 <= min <= initial <= max}, the margin is within
         *                                  0..90 and {@code 1 <= probe min <= probe max}
         */
        public AdaptiveConcurrencyLimiter build() {
            return new AdaptiveConcurrencyLimiter(this);
        }
    }
}
