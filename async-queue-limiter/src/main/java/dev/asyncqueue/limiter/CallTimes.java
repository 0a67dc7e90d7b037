package dev.asyncqueue.limiter;

import java.time.Duration;

/**
 * How long a group member's calls take to come back: successes, the round trip; 429s, which a function
 * answers without doing the work, far sooner. Smoothed (one eighth per sample); negative while unmeasured.
 */
final class CallTimes {
    private long successNanos = -1;
    private long refusalNanos = -1;

    void success(long grantedAt, long now) {
        successNanos = smooth(successNanos, Math.max(0, now - grantedAt));
    }

    void refusal(long grantedAt, long now) {
        refusalNanos = smooth(refusalNanos, Math.max(0, now - grantedAt));
    }

    private static long smooth(long average, long sample) {
        return average < 0 ? sample : average + (sample - average) / 8;
    }

    /** The round trip of a successful call, this member's measure or else the group's; negative if neither. */
    long roundTrip(Group group) {
        return successNanos >= 0 ? successNanos : group.roundTripNanos();
    }

    /**
     * How long a probe call must go without a 429 to count as accepted, with the group at {@code
     * ceiling}: twice the longest 429 round trip measured in the group, plus the mean time between two
     * calls ending, after which the function has surely met the call. Negative while unmeasured.
     */
    long probeWindow(Group group, int ceiling) {
        long refusal = Math.max(refusalNanos, group.refusalNanos());
        if (refusal < 0 || successNanos < 0) return -1;
        return 2 * refusal + successNanos / Math.max(1, ceiling);
    }

    /**
     * Whether 429s come back about as slowly as successes (in more than half their time), or are not
     * measured yet: then a probe cannot tell an accepted call sooner than by its success.
     */
    boolean refusalsSlow(Group group) {
        long refusal = Math.max(refusalNanos, group.refusalNanos());
        long success = roundTrip(group);
        return refusal < 0 || success < 0 || 2 * refusal > success;
    }

    Duration success() {
        return measured(successNanos);
    }

    Duration refusal() {
        return measured(refusalNanos);
    }

    private static Duration measured(long nanos) {
        return nanos < 0 ? Duration.ZERO : Duration.ofNanos(Math.max(1, nanos));
    }

    @Override
    public String toString() {
        return successNanos < 0 ? "" : ", rtt≈" + Duration.ofNanos(successNanos).toMillis() + "ms";
    }
}
