package dev.asyncqueue.limiter;

import dev.asyncqueue.Ticker;

/** The tunables of an {@link AdaptiveConcurrencyLimiter}, as generated for a property. */
record LimiterConfig(int initial, int min, int max, int marginPercent, int probeMinCalls, int probeMaxCalls) {

    static LimiterConfig defaults() {
        return new LimiterConfig(AdaptiveConcurrencyLimiter.DEFAULT_INITIAL, AdaptiveConcurrencyLimiter.DEFAULT_MIN,
                AdaptiveConcurrencyLimiter.DEFAULT_MAX, AdaptiveConcurrencyLimiter.DEFAULT_MARGIN_PERCENT,
                AdaptiveConcurrencyLimiter.DEFAULT_PROBE_MIN_CALLS, AdaptiveConcurrencyLimiter.DEFAULT_PROBE_MAX_CALLS);
    }

    AdaptiveConcurrencyLimiter build(Ticker ticker) {
        return AdaptiveConcurrencyLimiter.builder()
                .ticker(ticker)
                .initialLimit(initial)
                .minLimit(min)
                .maxLimit(max)
                .marginPercent(marginPercent)
                .probeAfterCalls(probeMinCalls, probeMaxCalls)
                .build();
    }

    @Override
    public String toString() {
        return "adaptive(initial " + initial + ", min " + min + ", max " + max + ", margin " + marginPercent
                + "%, probe after " + probeMinCalls + ".." + probeMaxCalls + " calls)";
    }
}
