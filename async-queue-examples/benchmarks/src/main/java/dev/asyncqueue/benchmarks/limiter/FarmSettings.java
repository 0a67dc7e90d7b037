package dev.asyncqueue.benchmarks.limiter;

import java.time.Duration;
import java.util.Objects;

/**
 * How the simulated {@code sleep} function farm behaves: replicas, what one replica takes, how long a
 * call takes, and the autoscaler's rules.
 *
 * @param callsPerReplica     concurrent calls one replica accepts ({@code max_inflight} of the function); above
 *                            {@code callsPerReplica x replicas} the farm answers 429
 * @param minReplicas         the autoscaler never goes below this
 * @param maxReplicas         nor above this
 * @param callDuration        how long one accepted call takes
 * @param scaleInterval       how often the autoscaler decides
 * @param scaleUpLoad         a replica is added after an interval whose mean concurrency reached this share
 *                            of capacity, or in which any call was refused
 * @param idleBeforeScaleDown a replica is removed per interval once nothing has arrived or run for this long
 */
public record FarmSettings(int callsPerReplica, int minReplicas, int maxReplicas, Duration callDuration,
                           Duration scaleInterval, double scaleUpLoad, Duration idleBeforeScaleDown) {

    /** Checks that the farm can run: at least one call per replica, sane bounds and times. */
    public FarmSettings {
        if (callsPerReplica < 1) throw new IllegalArgumentException("callsPerReplica must be at least 1");
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException("need 1 <= minReplicas <= maxReplicas, got " + minReplicas + ", " + maxReplicas);
        }
        Objects.requireNonNull(callDuration, "callDuration");
        if (callDuration.isNegative()) throw new IllegalArgumentException("callDuration must not be negative");
        if (scaleInterval.isZero() || scaleInterval.isNegative()) throw new IllegalArgumentException("scaleInterval must be positive");
        if (!(scaleUpLoad > 0 && scaleUpLoad <= 1)) throw new IllegalArgumentException("scaleUpLoad must be in (0, 1]");
        Objects.requireNonNull(idleBeforeScaleDown, "idleBeforeScaleDown");
    }

    /** The documented scenario: 5 calls per replica, 1 to 10 replicas, 200 ms calls, scaling every second at 80 %, down after 5 s idle. */
    public static FarmSettings documented() {
        return new FarmSettings(5, 1, 10, Duration.ofMillis(200), Duration.ofSeconds(1), 0.8, Duration.ofSeconds(5));
    }

    /** These settings with another call duration. */
    public FarmSettings withCallDuration(Duration duration) {
        return new FarmSettings(callsPerReplica, minReplicas, maxReplicas, duration, scaleInterval, scaleUpLoad,
                idleBeforeScaleDown);
    }

    /** One line for reports. */
    public String describe() {
        return callDuration.toMillis() + " ms per call, " + callsPerReplica + " concurrent calls per replica (429 above "
                + callsPerReplica + " x replicas), " + minReplicas + " to " + maxReplicas + " replicas; every "
                + scaleInterval.toMillis() + " ms the autoscaler adds a replica if the interval saw a 429 or a mean "
                + "concurrency of at least " + Math.round(scaleUpLoad * 100) + " % of capacity, and removes one once "
                + "nothing has arrived or run for " + idleBeforeScaleDown.toMillis() + " ms";
    }
}
