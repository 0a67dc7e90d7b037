package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Worker replicas sharing one function, in simulated continuous time: each replica has its own
 * limiter and starts a call whenever its limiter allows one and work waits; the function runs at most
 * {@code capacity} calls at once and answers 429 to a call arriving when full. Accepted calls take one
 * round trip (give or take the jitter), 429s come back almost at once, as they do from a real function.
 *
 * <p>Everything is driven by one {@link FakeTicker} and one seeded {@link Random}, so a run is a pure
 * function of its inputs. One sample is taken per round trip.
 */
final class SharedFunctionSimulation {

    /**
     * How long things take.
     *
     * @param roundTrip the mean duration of an accepted call
     * @param jitter    each call's duration is {@code roundTrip x (1 +- jitter)}, uniformly
     * @param refusal   how long a 429 takes to come back
     * @param fetch     the mean time between a permit and the call reaching the function
     * @param poll      how often an idle replica asks its limiter again without being woken by an answer
     * @param heartbeat how often a live replica's heartbeat runs (its coordination's, if any)
     */
    record Timing(Duration roundTrip, double jitter, Duration refusal, Duration fetch, Duration poll, Duration heartbeat) {
        /** The documented {@code sleep} function's timing: 200 ms calls, 429s and pulls in about 2 ms. */
        static Timing standard() {
            return new Timing(Duration.ofMillis(200), 0.1, Duration.ofMillis(2), Duration.ofMillis(2),
                    Duration.ofMillis(10), Duration.ofSeconds(1));
        }
    }

    /**
     * One round trip: what the function received during it, its mean concurrency, and at its end the
     * capacity and the limit of each live replica.
     */
    record Sample(int round, int capacity, int totalLimit, List<Integer> limits, long calls, long refused,
                  double meanRunning) {
        @Override
        public String toString() {
            return "round " + round + ": capacity " + capacity + ", limits " + limits + " (total " + totalLimit + "), "
                    + calls + " calls, " + refused + " refused, " + String.format("%.1f", meanRunning) + " running";
        }
    }

    /** One worker replica: a limiter, and a heartbeat that runs while the replica lives. */
    final class Replica {
        private final String name;
        private final ConcurrencyLimiter limiter;
        private final Runnable heartbeat;
        private boolean alive = true;
        private boolean leaving;
        private Runnable onLeft;
        private int inFlight;

        private Replica(String name, ConcurrencyLimiter limiter, Runnable heartbeat) {
            this.name = name;
            this.limiter = limiter;
            this.heartbeat = heartbeat;
        }

        ConcurrencyLimiter limiter() {
            return limiter;
        }

        boolean alive() {
            return alive;
        }

        @Override
        public String toString() {
            return name + (alive ? "" : " (dead)") + ": " + limiter;
        }
    }

    private record Event(long at, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
        }
    }

    private final Timing timing;
    private final FakeTicker ticker;
    private final Random random;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final List<Replica> replicas = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private final long roundTrip;
    private long seq;
    private long now;
    private final long start;

    private int capacity;
    private int running;
    private long backlog = Long.MAX_VALUE;
    private Duration requeueDelay = Duration.ZERO;
    private long completed;
    private long lastCompletion;
    private long pendingRequeues;
    private long calls;
    private long refused;
    private long roundCalls;
    private long roundRefused;
    private double runningNanos;
    private double runningTotalNanos;
    private long lastChange;

    SharedFunctionSimulation(Timing timing, FakeTicker ticker, long seed, int capacity) {
        this.timing = timing;
        this.ticker = ticker;
        this.random = new Random(seed);
        this.roundTrip = timing.roundTrip().toNanos();
        this.capacity = capacity;
        this.now = ticker.read();
        this.start = now;
        this.lastChange = now;
        at(now + roundTrip, this::sample);
    }

    /** A replica that starts asking its limiter now; {@code heartbeat} runs every heartbeat interval while it lives. */
    Replica add(ConcurrencyLimiter limiter, Runnable heartbeat) {
        Replica r = new Replica("replica " + replicas.size(), limiter, heartbeat);
        replicas.add(r);
        heartbeat.run();
        at(now, () -> fill(r));
        at(now + timing.poll().toNanos(), () -> poll(r));
        at(now + timing.heartbeat().toNanos(), () -> beat(r));
        return r;
    }

    /**
     * Stops a replica the way SIGKILL does: it starts nothing more, its heartbeat stops, and its limiter
     * never hears how its calls ended. The function still runs the calls it accepted.
     */
    void kill(Replica r) {
        r.alive = false;
    }

    /**
     * Lets a replica leave cleanly: it starts nothing more, its calls end as usual, and once the last
     * has come back {@code then} runs (say, closing its limiter) and its heartbeat stops.
     */
    void leave(Replica r, Runnable then) {
        r.leaving = true;
        r.onLeft = then;
        if (r.inFlight == 0) left(r);
    }

    private void left(Replica r) {
        r.alive = false;
        r.onLeft.run();
    }

    /** The function's capacity from now on; calls it already accepted run on. */
    void capacity(int capacity) {
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /**
     * Only {@code messages} calls to make instead of an endless backlog; a refused call's message is
     * back in the queue {@code requeueDelay} after its 429.
     */
    SharedFunctionSimulation backlog(long messages, Duration requeueDelay) {
        this.backlog = messages;
        this.requeueDelay = requeueDelay;
        return this;
    }

    /**
     * Scales the function the way the documented farm's autoscaler does: every {@code interval} it adds
     * a replica of {@code perReplica} calls (up to {@code maxReplicas}) if the interval saw a 429 or a
     * mean concurrency of at least {@code upLoad} of capacity. The capacity starts at one replica.
     */
    SharedFunctionSimulation autoscale(int perReplica, int maxReplicas, Duration interval, double upLoad) {
        capacity = perReplica;
        long[] refusedBefore = {refused};
        double[] integralBefore = {0};
        at(now + interval.toNanos(), new Runnable() {
            @Override
            public void run() {
                account();
                double mean = (runningTotalNanos - integralBefore[0]) / interval.toNanos();
                if (refused > refusedBefore[0] || mean >= upLoad * capacity) {
                    capacity = Math.min(perReplica * maxReplicas, capacity + perReplica);
                }
                refusedBefore[0] = refused;
                integralBefore[0] = runningTotalNanos;
                at(now + interval.toNanos(), this);
            }
        });
        return this;
    }

    /** Runs for {@code time} more. */
    SharedFunctionSimulation runFor(Duration time) {
        runUntil(now + time.toNanos());
        return this;
    }

    /** Runs {@code rounds} more round trips. */
    SharedFunctionSimulation run(int rounds) {
        runUntil(now + rounds * roundTrip);
        return this;
    }

    /**
     * Runs until every message of a finite backlog has succeeded, or {@code limit} passes; the time of
     * the last success from the simulation's start.
     */
    Optional<Duration> drain(Duration limit) {
        long deadline = now + limit.toNanos();
        while (!events.isEmpty() && events.peek().at() <= deadline) {
            if (backlog == 0 && running == 0 && replicas.stream().allMatch(r -> r.inFlight == 0) && pendingRequeues == 0) {
                return Optional.of(Duration.ofNanos(lastCompletion - this.start));
            }
            step();
        }
        return Optional.empty();
    }

    private void runUntil(long until) {
        while (!events.isEmpty() && events.peek().at() <= until) {
            step();
        }
        advanceTo(until);
    }

    private void step() {
        Event e = events.poll();
        advanceTo(e.at());
        e.action().run();
    }

    private void advanceTo(long t) {
        if (t > now) {
            ticker.advance(Duration.ofNanos(t - now));
            now = t;
        }
    }

    private void at(long t, Runnable action) {
        events.add(new Event(t, seq++, action));
    }

    private void fill(Replica r) {
        while (r.alive && !r.leaving && backlog > 0) {
            Optional<Permit> permit = r.limiter.tryAcquire();
            if (permit.isEmpty()) return;
            backlog--;
            r.inFlight++;
            long fetch = (long) (timing.fetch().toNanos() * (0.5 + random.nextDouble()));
            Permit p = permit.get();
            at(now + fetch, () -> arrive(r, p));
        }
    }

    private void poll(Replica r) {
        if (!r.alive) return;
        fill(r);
        at(now + timing.poll().toNanos(), () -> poll(r));
    }

    private void beat(Replica r) {
        if (!r.alive) return;
        r.heartbeat.run();
        at(now + timing.heartbeat().toNanos(), () -> beat(r));
    }

    private void arrive(Replica r, Permit permit) {
        account();
        calls++;
        roundCalls++;
        if (running < capacity) {
            running++;
            long duration = (long) (roundTrip * (1 + timing.jitter() * (2 * random.nextDouble() - 1)));
            at(now + duration, () -> {
                account();
                running--;
                completed++;
                lastCompletion = now;
                answer(r, permit, Outcome.SUCCESS);
            });
        } else {
            refused++;
            roundRefused++;
            at(now + timing.refusal().toNanos(), () -> {
                if (backlog != Long.MAX_VALUE) {
                    pendingRequeues++;
                    at(now + requeueDelay.toNanos(), () -> {
                        pendingRequeues--;
                        backlog++;
                        replicas.forEach(this::fill);
                    });
                }
                answer(r, permit, Outcome.REJECTED);
            });
        }
    }

    private void answer(Replica r, Permit permit, Outcome outcome) {
        if (!r.alive) return;
        r.inFlight--;
        permit.release(outcome);
        if (r.leaving && r.inFlight == 0) left(r);
        fill(r);
    }

    private void account() {
        runningNanos += (double) running * (now - lastChange);
        runningTotalNanos += (double) running * (now - lastChange);
        lastChange = now;
    }

    private void sample() {
        account();
        List<Integer> limits = new ArrayList<>();
        int total = 0;
        for (Replica r : replicas) {
            if (!r.alive) continue;
            int limit = r.limiter.limit();
            limits.add(limit);
            total += limit;
        }
        samples.add(new Sample(samples.size(), capacity, total, List.copyOf(limits), roundCalls, roundRefused,
                runningNanos / roundTrip));
        roundCalls = 0;
        roundRefused = 0;
        runningNanos = 0;
        at(now + roundTrip, this::sample);
    }

    List<Sample> samples() {
        return samples;
    }

    List<Replica> replicas() {
        return replicas;
    }

    long calls() {
        return calls;
    }

    long refused() {
        return refused;
    }

    double refusedShare() {
        return calls == 0 ? 0 : (double) refused / calls;
    }

    long completed() {
        return completed;
    }
}
