package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.IntSupplier;

/**
 * The measurements behind {@code docs/LIMITER-MULTI.md}: the candidate ways for N replicas to share one
 * function, each run in {@link SharedFunctionSimulation} (simulated time, so the machine's load does not
 * matter) and printed as the document's tables. Not a test: run {@link #main} from the test class path.
 */
final class GroupComparison {

    private static final SharedFunctionSimulation.Timing TIMING = SharedFunctionSimulation.Timing.standard();

    /** Makes the limiters of the N replicas of one run. */
    interface Candidate {
        Replicas start(SharedFunctionSimulation sim, FakeTicker ticker, long seed);
    }

    /** Adds one replica to a run, now. */
    interface Replicas {
        SharedFunctionSimulation.Replica add();
    }

    static Map<String, Candidate> candidates() {
        Map<String, Candidate> c = new LinkedHashMap<>();
        c.put("independent adaptive (today)", (sim, t, seed) -> () -> sim.add(
                AdaptiveConcurrencyLimiter.builder().ticker(t).build(), () -> { }));
        c.put("local AIMD (+1 per round trip, x0.9 per 429)", (sim, t, seed) -> () -> sim.add(new Aimd(), () -> { }));
        c.put("SRE client-side throttling, K = 2", (sim, t, seed) -> sre(sim, t, seed, 2));
        c.put("SRE client-side throttling, K = 1.1", (sim, t, seed) -> sre(sim, t, seed, 1.1));
        c.put("shared ceiling over the consumer's info (poll 500 ms, dead counted 30 s)",
                (sim, t, seed) -> group(sim, t, Duration.ofMillis(500), Duration.ofSeconds(30)));
        c.put("shared ceiling over a KV bucket (chosen: 2 ms, ttl 3 s)",
                (sim, t, seed) -> group(sim, t, SimulatedGroup.DELAY, SimulatedGroup.TTL));
        return c;
    }

    private static Replicas sre(SharedFunctionSimulation sim, FakeTicker t, long seed, double k) {
        Random seeds = new Random(seed);
        return () -> sim.add(new Sre(k, 50, seeds.nextLong(), t), () -> { });
    }

    private static Replicas group(SharedFunctionSimulation sim, FakeTicker t, Duration delay, Duration ttl) {
        LocalLimiterCoordination.Board board = LocalLimiterCoordination.board(t, ttl, delay);
        int[] joined = {0};
        return () -> {
            LocalLimiterCoordination replica = board.replica(String.format("replica-%02d", joined[0]++));
            return sim.add(AdaptiveConcurrencyLimiter.builder().name("sleep").ticker(t).coordination(replica).build(),
                    replica::heartbeat);
        };
    }

    public static void main(String[] args) {
        Map<String, Candidate> all = candidates();
        System.out.println("## One replica, today's limiter: calls reaching the function in the order granted, or not");
        System.out.println("| pulls | C=5 | C=20 | C=50 |");
        System.out.println("|---|---:|---:|---:|");
        for (Duration fetch : new Duration[] {Duration.ZERO, TIMING.fetch()}) {
            SharedFunctionSimulation.Timing timing = new SharedFunctionSimulation.Timing(TIMING.roundTrip(), TIMING.jitter(),
                    TIMING.refusal(), fetch, TIMING.poll(), TIMING.heartbeat());
            StringBuilder row = new StringBuilder(fetch.isZero() ? "| instant: in grant order" : "| 1 to 3 ms each: reordered");
            for (int capacity : new int[] {5, 20, 50}) {
                double refused = 0;
                for (int seed = 0; seed < 5; seed++) {
                    FakeTicker ticker = new FakeTicker();
                    SharedFunctionSimulation sim = new SharedFunctionSimulation(timing, ticker, seed, capacity);
                    sim.add(AdaptiveConcurrencyLimiter.builder().ticker(ticker).build(), () -> { });
                    refused += sim.run(500).refusedShare();
                }
                row.append(String.format(" | %.2f %%", 20 * refused));
            }
            System.out.println(row.append(" |"));
        }
        System.out.println();
        System.out.println("## Fixed capacity: 500 round trips, 5 seeds; refused % / mean concurrency as % of capacity");
        System.out.println("| candidate | C | N=1 | N=3 | N=5 |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (var e : all.entrySet()) {
            for (int capacity : new int[] {5, 20, 50}) {
                StringBuilder row = new StringBuilder("| " + e.getKey() + " | " + capacity);
                for (int n : new int[] {1, 3, 5}) {
                    double refused = 0;
                    double use = 0;
                    for (int seed = 0; seed < 5; seed++) {
                        FakeTicker ticker = new FakeTicker();
                        SharedFunctionSimulation sim = new SharedFunctionSimulation(TIMING, ticker, seed, capacity);
                        Replicas replicas = e.getValue().start(sim, ticker, seed);
                        for (int i = 0; i < n; i++) replicas.add();
                        sim.run(500);
                        refused += sim.refusedShare();
                        use += sim.samples().subList(50, 500).stream().mapToDouble(s -> s.meanRunning() / capacity)
                                .average().orElse(0);
                    }
                    row.append(String.format(" | %.2f / %.0f", 20 * refused, 20 * use));
                }
                System.out.println(row.append(" |"));
            }
        }
        System.out.println();
        System.out.println("## The documented scenario: 1,000 calls, autoscaled 5 per replica, 1 to 10; 20 seeds");
        System.out.println("| candidate | N | refused % mean (worst) | drain / oracle mean (worst) |");
        System.out.println("|---|---:|---:|---:|");
        for (var e : all.entrySet()) {
            for (int n : new int[] {1, 3, 5}) {
                double refused = 0, worstRefused = 0, ratio = 0, worstRatio = 0;
                for (int seed = 0; seed < 20; seed++) {
                    double[] r = scenario(e.getValue(), n, seed, Duration.ZERO);
                    refused += r[0];
                    worstRefused = Math.max(worstRefused, r[0]);
                    ratio += r[1];
                    worstRatio = Math.max(worstRatio, r[1]);
                }
                System.out.printf("| %s | %d | %.2f (%.2f) | %.2f (%.2f) |%n", e.getKey(), n, 5 * refused,
                        100 * worstRefused, ratio / 20, worstRatio);
            }
        }
        System.out.println();
        System.out.println("## The same with the replicas starting at random moments within 0.5 s, as processes do; 20 seeds");
        System.out.println("| candidate | N | refused % mean (worst) | drain / oracle mean (worst) |");
        System.out.println("|---|---:|---:|---:|");
        for (var e : all.entrySet()) {
            if (!e.getKey().startsWith("independent") && !e.getKey().contains("chosen")) continue;
            for (int n : new int[] {3, 5}) {
                double refused = 0, worstRefused = 0, ratio = 0, worstRatio = 0;
                for (int seed = 0; seed < 20; seed++) {
                    double[] r = scenario(e.getValue(), n, seed, Duration.ofMillis(500));
                    refused += r[0];
                    worstRefused = Math.max(worstRefused, r[0]);
                    ratio += r[1];
                    worstRatio = Math.max(worstRatio, r[1]);
                }
                System.out.printf("| %s | %d | %.2f (%.2f) | %.2f (%.2f) |%n", e.getKey(), n, 5 * refused,
                        100 * worstRefused, ratio / 20, worstRatio);
            }
        }
        System.out.println();
        System.out.println("## Membership: kill or add one replica after 100 round trips; 10 seeds");
        System.out.println("| candidate | C | N | kill: round trips to >= 0.9 C (worst) | refused after | add: refused after |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (var e : all.entrySet()) {
            for (int capacity : new int[] {20, 50}) {
                for (int n : new int[] {3, 5}) {
                    double back = 0, worstBack = 0, afterKill = 0, afterAdd = 0;
                    for (int seed = 0; seed < 10; seed++) {
                        double[] r = membership(e.getValue(), capacity, n, seed);
                        back += r[0];
                        worstBack = Math.max(worstBack, r[0]);
                        afterKill += r[1];
                        afterAdd += r[2];
                    }
                    System.out.printf("| %s | %d | %d | %.1f (%.0f) | %.2f %% | %.2f %% |%n", e.getKey(), capacity, n,
                            back / 10, worstBack, 10 * afterKill, 10 * afterAdd);
                }
            }
        }
    }

    /**
     * Refused share and drain time over the oracle's for the documented scenario, the replicas starting
     * at random moments within {@code spread} (all at once if zero); time counts from the first.
     */
    static double[] scenario(Candidate candidate, int n, long seed, Duration spread) {
        FakeTicker ticker = new FakeTicker();
        SharedFunctionSimulation sim = autoscaled(ticker, seed);
        Replicas replicas = candidate.start(sim, ticker, seed);
        Random starts = new Random(seed);
        long[] at = new long[n];
        for (int i = 1; i < n; i++) at[i] = (long) (starts.nextDouble() * spread.toNanos());
        java.util.Arrays.sort(at);
        for (int i = 0; i < n; i++) {
            if (i > 0) sim.runFor(Duration.ofNanos(at[i] - at[i - 1]));
            replicas.add();
        }
        double drain = sim.drain(Duration.ofMinutes(10)).orElseThrow().toNanos();
        FakeTicker oracleTicker = new FakeTicker();
        SharedFunctionSimulation oracle = autoscaled(oracleTicker, seed);
        oracle.add(new Oracle(oracle::capacity), () -> { });
        return new double[] {sim.refusedShare(), drain / oracle.drain(Duration.ofMinutes(10)).orElseThrow().toNanos()};
    }

    private static SharedFunctionSimulation autoscaled(FakeTicker ticker, long seed) {
        return new SharedFunctionSimulation(TIMING, ticker, seed, 5).backlog(1000, Duration.ofMillis(250))
                .autoscale(5, 10, Duration.ofSeconds(1), 0.8);
    }

    /** Round trips until the others' limits reach 0.9 C after a kill; refused shares after the kill and the add. */
    static double[] membership(Candidate candidate, int capacity, int n, long seed) {
        FakeTicker ticker = new FakeTicker();
        SharedFunctionSimulation sim = new SharedFunctionSimulation(TIMING, ticker, seed, capacity);
        Replicas replicas = candidate.start(sim, ticker, seed);
        List<SharedFunctionSimulation.Replica> started = new ArrayList<>();
        for (int i = 0; i < n; i++) started.add(replicas.add());
        sim.run(100);
        long refused = sim.refused();
        long calls = sim.calls();
        sim.kill(started.get((int) (seed % n)));
        sim.run(100);
        int back = 100;
        for (SharedFunctionSimulation.Sample s : sim.samples().subList(100, 200)) {
            if (s.totalLimit() >= capacity * 9 / 10) {
                back = s.round() - 100;
                break;
            }
        }
        double afterKill = (double) (sim.refused() - refused) / (sim.calls() - calls);
        refused = sim.refused();
        calls = sim.calls();
        replicas.add();
        sim.run(100);
        return new double[] {back, afterKill, (double) (sim.refused() - refused) / (sim.calls() - calls)};
    }

    /**
     * Google SRE client-side throttling ("Handling Overload"): a call goes with probability
     * {@code 1 - max(0, (requests - K accepts) / (requests + 1))}, the counts decaying over ten seconds;
     * at most {@code max} at a time (the worker's {@code max_inflight}).
     */
    static final class Sre implements ConcurrencyLimiter {
        private final double k;
        private final int max;
        private final Random random;
        private final FakeTicker ticker;
        private double requests;
        private double accepts;
        private long last;
        private int inFlight;

        Sre(double k, int max, long seed, FakeTicker ticker) {
            this.k = k;
            this.max = max;
            this.random = new Random(seed);
            this.ticker = ticker;
            this.last = ticker.read();
        }

        private void decay() {
            long now = ticker.read();
            double f = Math.exp(-(now - last) / 10e9);
            requests *= f;
            accepts *= f;
            last = now;
        }

        @Override
        public Optional<Permit> tryAcquire() {
            if (inFlight >= max) return Optional.empty();
            decay();
            double reject = Math.max(0, (requests - k * accepts) / (requests + 1));
            requests++;
            if (random.nextDouble() < reject) return Optional.empty();
            inFlight++;
            return Optional.of(outcome -> {
                inFlight--;
                decay();
                if (outcome == Outcome.SUCCESS) accepts++;
            });
        }

        @Override
        public int limit() {
            return max;
        }

        @Override
        public int inFlight() {
            return inFlight;
        }
    }

    /** Classic AIMD on a concurrency window: +1 per round trip of successes, x0.9 once per overload. */
    static final class Aimd implements ConcurrencyLimiter {
        private double limit = 2;
        private int inFlight;
        private long epoch;

        @Override
        public Optional<Permit> tryAcquire() {
            if (inFlight >= (int) limit) return Optional.empty();
            inFlight++;
            long grantedIn = epoch;
            return Optional.of(outcome -> {
                inFlight--;
                if (grantedIn != epoch) return;
                if (outcome == Outcome.SUCCESS) {
                    limit = Math.min(1000, limit + 1.0 / limit);
                } else if (outcome == Outcome.REJECTED) {
                    limit = Math.max(1, limit * 0.9);
                    epoch++;
                }
            });
        }

        @Override
        public int limit() {
            return (int) limit;
        }

        @Override
        public int inFlight() {
            return inFlight;
        }
    }

    /** Knows the capacity at every instant and keeps the function exactly full. */
    static final class Oracle implements ConcurrencyLimiter {
        private final IntSupplier capacity;
        private int inFlight;

        Oracle(IntSupplier capacity) {
            this.capacity = capacity;
        }

        @Override
        public Optional<Permit> tryAcquire() {
            if (inFlight >= capacity.getAsInt()) return Optional.empty();
            inFlight++;
            return Optional.of(outcome -> inFlight--);
        }

        @Override
        public int limit() {
            return capacity.getAsInt();
        }

        @Override
        public int inFlight() {
            return inFlight;
        }
    }
}
