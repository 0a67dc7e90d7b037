package dev.asyncqueue.benchmarks.limiter;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How long the workers took to settle on their new shares after a membership change, in round trips (the
 * function's call time), read from the sampled limits. Only samples before the last call id was done count: after
 * the drain the limits have nothing left to follow.
 *
 * @param event      seconds from the start of enqueueing to the change (the kill, or the added worker's first limit)
 * @param roundTrips round trips from the change until the workers had settled, empty when they had not by the drain
 * @param rejected   429s answered in the {@link #WINDOW} round trips after the change
 */
record Settling(double event, Optional<Double> roundTrips, long rejected) {
    /** Round trips after a change whose 429s are counted against it. */
    static final int WINDOW = 20;

    /**
     * After the kill: the survivors (the workers started with it, the killed one aside) settle once their limits add
     * up to what the whole group's did just before the kill, or to {@code floor(0.9 x capacity)} if that is less.
     */
    static Optional<Settling> afterKill(WorkersResult run) {
        if (run.killed().isEmpty()) return Optional.empty();
        List<String> survivors = new ArrayList<>(run.names().subList(0, run.workers()));
        survivors.remove(run.killed().get());
        int before = totalBefore(run, run.killAt());
        return Optional.of(settle(run, run.killAt(), s -> s.totalOf(survivors) >= target(before, s)));
    }

    /**
     * After the add, counted from the new worker's first sampled limit: settled once it holds at least its share of
     * the group's limit ({@code floor(total / members)}, the share of the last by rank) and the group's limits add
     * up to what they did just before the add, or to {@code floor(0.9 x capacity)} if that is less.
     */
    static Optional<Settling> afterAdd(WorkersResult run) {
        if (run.added().isEmpty()) return Optional.empty();
        String newcomer = run.added().get();
        Optional<WorkerSample> joined = run.samples().stream()
                .filter(s -> s.seconds() >= run.addAt() && s.limits().containsKey(newcomer)).findFirst();
        if (joined.isEmpty()) return Optional.of(new Settling(run.addAt(), Optional.empty(), 0));
        int before = totalBefore(run, run.addAt());
        return Optional.of(settle(run, joined.get().seconds(), s -> s.limits().containsKey(newcomer)
                && s.limits().get(newcomer) >= s.total() / s.limits().size() && s.total() >= target(before, s)));
    }

    /** Seconds from the start of enqueueing until the added worker's first limit was sampled, -1 if never. */
    static double joinedAt(WorkersResult run) {
        if (run.added().isEmpty()) return -1;
        return run.samples().stream().filter(s -> s.seconds() >= run.addAt() && s.limits().containsKey(run.added().get()))
                .mapToDouble(WorkerSample::seconds).findFirst().orElse(-1);
    }

    private static int target(int before, WorkerSample s) {
        return Math.min(before, (int) Math.floor(0.9 * s.capacity()));
    }

    private static int totalBefore(WorkersResult run, double at) {
        int total = 0;
        for (WorkerSample s : run.samples()) {
            if (s.seconds() >= at) break;
            total = s.total();
        }
        return total;
    }

    private static Settling settle(WorkersResult run, double from, java.util.function.Predicate<WorkerSample> settled) {
        double rtt = run.callTime().toNanos() / 1e9;
        Optional<Double> roundTrips = Optional.empty();
        for (WorkerSample s : run.samples()) {
            if (s.seconds() < from) continue;
            if (s.done() >= run.invocations()) break;
            if (settled.test(s)) {
                roundTrips = Optional.of((s.seconds() - from) / rtt);
                break;
            }
        }
        return new Settling(from, roundTrips, rejectedBetween(run, from, from + WINDOW * rtt));
    }

    private static long rejectedBetween(WorkersResult run, double from, double to) {
        long atFrom = 0;
        long atTo = 0;
        for (WorkerSample s : run.samples()) {
            if (s.seconds() < from) atFrom = s.rejected();
            if (s.seconds() <= to) atTo = s.rejected();
        }
        return Math.max(0, atTo - atFrom);
    }
}
