package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.quicktheories.generators.SourceDSL.longs;

/**
 * A worker with a backlog that never runs dry, against a function that takes at most {@code capacity}
 * concurrent calls and answers 429 to the rest, in discrete round trips: each round the worker starts
 * as many calls as the limiter allows, and all of them finish one round-trip time later.
 */
final class RoundTripSimulation {

    /** The order in which the calls of one round come back. */
    enum ReleaseOrder {
        /** In the order they were started. */
        IN_ORDER,
        /** Last started, first back. */
        REVERSED,
        /** 429s first, as they do when the function refuses at once, then the rest shuffled. */
        REJECTIONS_FIRST,
        /** Any order. */
        SHUFFLED
    }

    /** How the calls of every round come back: the order, and the seed of any shuffling. */
    record Returns(ReleaseOrder order, long seed) {
        static Gen<Returns> any() {
            return Generate.enumValues(ReleaseOrder.class).zip(longs().all(), Returns::new);
        }

        @Override
        public String toString() {
            return "calls back " + order + (order == ReleaseOrder.SHUFFLED || order == ReleaseOrder.REJECTIONS_FIRST
                    ? " (seed " + seed + ")" : "");
        }
    }

    /** What happened in one round trip. */
    record Round(int index, int capacity, int limit, int calls, int rejected) {
        @Override
        public String toString() {
            return "round " + index + ": capacity " + capacity + ", limit " + limit + ", " + calls + " calls, "
                    + rejected + " rejected";
        }
    }

    private final ConcurrencyLimiter limiter;
    private final FakeTicker ticker;
    private final ReleaseOrder order;
    private final Random random;
    private final Duration roundTrip;
    private final List<Round> rounds = new ArrayList<>();
    private long calls;
    private long rejected;

    RoundTripSimulation(ConcurrencyLimiter limiter, FakeTicker ticker, Returns returns, Duration roundTrip) {
        this(limiter, ticker, returns.order(), returns.seed(), roundTrip);
    }

    RoundTripSimulation(ConcurrencyLimiter limiter, FakeTicker ticker, ReleaseOrder order, long seed, Duration roundTrip) {
        this.limiter = limiter;
        this.ticker = ticker;
        this.order = order;
        this.random = new Random(seed);
        this.roundTrip = roundTrip;
    }

    /** Runs {@code count} round trips against a function of {@code capacity}. */
    RoundTripSimulation run(int count, int capacity) {
        for (int i = 0; i < count; i++) {
            round(capacity);
        }
        return this;
    }

    Round round(int capacity) {
        int limit = limiter.limit();
        List<Permit> started = new ArrayList<>();
        for (Optional<Permit> p = limiter.tryAcquire(); p.isPresent(); p = limiter.tryAcquire()) {
            started.add(p.get());
        }
        int n = started.size();
        List<Integer> back = new ArrayList<>(n);
        for (int i = 0; i < n; i++) back.add(i);
        switch (order) {
            case IN_ORDER -> { }
            case REVERSED -> Collections.reverse(back);
            case SHUFFLED -> Collections.shuffle(back, random);
            case REJECTIONS_FIRST -> {
                List<Integer> accepted = new ArrayList<>(back.subList(0, Math.min(capacity, n)));
                Collections.shuffle(accepted, random);
                back = new ArrayList<>(back.subList(Math.min(capacity, n), n));
                back.addAll(accepted);
            }
        }
        ticker.advance(roundTrip);
        int refused = 0;
        for (int i : back) {
            // The function is called in start order, so call i finds i calls already running.
            boolean accepted = i < capacity;
            if (!accepted) refused++;
            started.get(i).release(accepted ? Outcome.SUCCESS : Outcome.REJECTED);
        }
        Round r = new Round(rounds.size(), capacity, limit, n, refused);
        rounds.add(r);
        calls += n;
        rejected += refused;
        return r;
    }

    List<Round> rounds() {
        return rounds;
    }

    long calls() {
        return calls;
    }

    long rejected() {
        return rejected;
    }

    double rejectedShare() {
        return calls == 0 ? 0 : (double) rejected / calls;
    }
}
