package dev.asyncqueue.benchmarks.micro;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.limiter.AdaptiveConcurrencyLimiter;
import dev.asyncqueue.limiter.FixedConcurrencyLimiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmark of one permit's round trip (acquire, then release as a success) on the adaptive and the fixed
 * limiter, from one thread and from two threads sharing the limiter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LimiterBenchmark {
    /** Far above the two permits the contended variants can hold at once, so no acquire is refused. */
    static final int FIXED_LIMIT = 64;

    private ConcurrencyLimiter adaptive;
    private ConcurrencyLimiter fixed;

    /** One limiter of each kind, shared by the benchmark's threads; the adaptive one with its defaults. */
    @Setup
    public void createLimiters() {
        adaptive = AdaptiveConcurrencyLimiter.builder().name("bench").build();
        fixed = FixedConcurrencyLimiter.of("bench", FIXED_LIMIT);
    }

    /** Adaptive limiter, one thread. */
    @Benchmark
    public boolean adaptive() {
        return acquireRelease(adaptive);
    }

    /** Fixed limiter, one thread. */
    @Benchmark
    public boolean fixed() {
        return acquireRelease(fixed);
    }

    /** Adaptive limiter, two threads on the same limiter. */
    @Benchmark
    @Threads(2)
    public boolean adaptiveContended() {
        return acquireRelease(adaptive);
    }

    /** Fixed limiter, two threads on the same limiter. */
    @Benchmark
    @Threads(2)
    public boolean fixedContended() {
        return acquireRelease(fixed);
    }

    /** Acquires and releases one permit; a refusal would show as a faster, wrong score, so it fails the run. */
    private static boolean acquireRelease(ConcurrencyLimiter limiter) {
        Optional<Permit> permit = limiter.tryAcquire();
        if (permit.isEmpty()) {
            throw new IllegalStateException("refused a permit at " + limiter.inFlight() + " in flight: " + limiter);
        }
        permit.get().release(Outcome.SUCCESS);
        return true;
    }
}
