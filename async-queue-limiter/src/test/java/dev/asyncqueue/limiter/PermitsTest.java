package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.config.Settings;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;

/** Every kind of limiter hands out permits that are released exactly once and never leak. */
class PermitsTest {

    /** A way to make a limiter, printable in counter-examples. */
    record Kind(String name, Function<FakeTicker, ConcurrencyLimiter> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Kind> KINDS = List.of(
            new Kind("adaptive", ticker -> AdaptiveConcurrencyLimiter.builder().ticker(ticker).maxLimit(20).build()),
            new Kind("fixed 5", ticker -> FixedConcurrencyLimiter.of(5)),
            new Kind("unlimited", ticker -> ConcurrencyLimiter.unlimited()),
            new Kind("registry handle (adaptive)", ticker -> LimiterRegistry.builder()
                    .provider(new AdaptiveLimiterProvider()).settings(Settings.of(Map.of("limiter_max", "20")))
                    .ticker(ticker).build().limiterFor("f", Map.of())));

    static Gen<Kind> kinds() {
        return Generate.pick(KINDS);
    }

    @Test
    void everyKindOfLimiterIsBackToZeroInFlightWhenAllWorkIsDone() {
        qt().withExamples(200).forAll(kinds(), Scenario.eventSequences()).checkAssert((kind, events) -> {
            FakeTicker ticker = new FakeTicker();
            ScenarioRun run = new ScenarioRun(kind.make().apply(ticker), ticker).apply(events).finishAll();
            assertEquals(0, run.limiter().inFlight(), "a permit leaked");
        });
    }

    @Test
    void aSecondReleaseOfAnyPermitThrowsAndChangesNothing() {
        qt().withExamples(200)
                .forAll(kinds(), Scenario.eventSequences(), Generate.enumValues(Outcome.class))
                .checkAssert((kind, events, outcome) -> {
                    FakeTicker ticker = new FakeTicker();
                    ScenarioRun run = new ScenarioRun(kind.make().apply(ticker), ticker).apply(events);
                    for (Permit released : run.releasedPermits()) {
                        int limit = run.limiter().limit();
                        int inFlight = run.limiter().inFlight();
                        assertThrows(IllegalStateException.class, () -> released.release(outcome));
                        assertEquals(limit, run.limiter().limit(), "a second release moved the limit");
                        assertEquals(inFlight, run.limiter().inFlight(), "a second release freed a slot");
                    }
                });
    }

    @Test
    void releasingWithoutAnOutcomeIsRefusedAndKeepsThePermitHeld() {
        // The api's unlimited limiter is not ours to check here.
        for (Kind kind : KINDS.stream().filter(k -> !k.name().equals("unlimited")).toList()) {
            ConcurrencyLimiter limiter = kind.make().apply(new FakeTicker());
            Permit permit = limiter.tryAcquire().orElseThrow();
            assertThrows(NullPointerException.class, () -> permit.release(null), kind.name());
            assertEquals(1, limiter.inFlight(), kind.name());
            permit.release(Outcome.IGNORED);
            assertEquals(0, limiter.inFlight(), kind.name());
        }
    }
}
