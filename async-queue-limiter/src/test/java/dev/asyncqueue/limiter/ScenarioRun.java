package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts a limiter through a scenario's events against a simulated function, recording what it saw at
 * every step so properties can be checked afterwards.
 */
final class ScenarioRun {

    /** One call to {@code tryAcquire}: the state it met and whether it got a permit. */
    record Attempt(int inFlightBefore, int limitBefore, boolean granted, int inFlightAfter) {
    }

    /** The limiter before and after one event; {@code released} is the outcome delivered, if any. */
    record Step(LimiterEvent event, int limitBefore, int limitAfter, int inFlightBefore, int inFlightAfter,
                List<Attempt> attempts, Outcome released) {
    }

    /** A permit in the worker's hands, and whether the function accepted its call. */
    private record Held(Permit permit, boolean accepted) {
    }

    private final ConcurrencyLimiter limiter;
    private final FakeTicker ticker;
    private final List<Held> held = new ArrayList<>();
    private final List<Permit> released = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private int capacity = Integer.MAX_VALUE;
    private int workCap = Integer.MAX_VALUE;
    private int running;
    private int peakInFlight;

    ScenarioRun(ConcurrencyLimiter limiter, FakeTicker ticker) {
        this.limiter = limiter;
        this.ticker = ticker;
    }

    /** A worker that never has more than {@code calls} calls to run, so it stops asking there. */
    ScenarioRun withWorkFor(int calls) {
        this.workCap = calls;
        return this;
    }

    static ScenarioRun of(Scenario scenario) {
        FakeTicker ticker = new FakeTicker();
        return new ScenarioRun(scenario.config().build(ticker), ticker).apply(scenario.events());
    }

    ScenarioRun apply(List<LimiterEvent> events) {
        events.forEach(this::apply);
        return this;
    }

    Step apply(LimiterEvent event) {
        int limitBefore = limiter.limit();
        int inFlightBefore = limiter.inFlight();
        List<Attempt> attempts = List.of();
        Outcome outcome = null;
        if (event instanceof LimiterEvent.Acquire a) {
            attempts = acquire(a.count());
        } else if (event instanceof LimiterEvent.Release r) {
            outcome = release(r.pick(), r.outcome());
        } else if (event instanceof LimiterEvent.Answer a) {
            outcome = release(a.pick(), null);
        } else if (event instanceof LimiterEvent.Advance a) {
            ticker.advance(Duration.ofMillis(a.millis()));
        } else if (event instanceof LimiterEvent.Capacity c) {
            capacity = c.capacity();
        }
        Step step = new Step(event, limitBefore, limiter.limit(), inFlightBefore, limiter.inFlight(), attempts, outcome);
        steps.add(step);
        return step;
    }

    private List<Attempt> acquire(int count) {
        List<Attempt> attempts = new ArrayList<>();
        for (int i = 0; i < count && limiter.inFlight() < workCap; i++) {
            int inFlight = limiter.inFlight();
            int limit = limiter.limit();
            Optional<Permit> permit = limiter.tryAcquire();
            permit.ifPresent(p -> {
                boolean accepted = running < capacity;
                if (accepted) running++;
                held.add(new Held(p, accepted));
            });
            peakInFlight = Math.max(peakInFlight, limiter.inFlight());
            attempts.add(new Attempt(inFlight, limit, permit.isPresent(), limiter.inFlight()));
        }
        return attempts;
    }

    /** Releases a held permit with {@code outcome}, or as the function answered when {@code outcome} is null. */
    private Outcome release(int pick, Outcome outcome) {
        if (held.isEmpty()) {
            return null;
        }
        Held h = held.remove(pick % held.size());
        if (h.accepted()) running--;
        Outcome actual = outcome != null ? outcome : h.accepted() ? Outcome.SUCCESS : Outcome.REJECTED;
        h.permit().release(actual);
        released.add(h.permit());
        return actual;
    }

    /** Ends every call still running, as the function answers them. */
    ScenarioRun finishAll() {
        while (!held.isEmpty()) {
            apply(new LimiterEvent.Answer(0));
        }
        return this;
    }

    List<Step> steps() {
        return steps;
    }

    List<Permit> releasedPermits() {
        return released;
    }

    int held() {
        return held.size();
    }

    int peakInFlight() {
        return peakInFlight;
    }

    ConcurrencyLimiter limiter() {
        return limiter;
    }
}
