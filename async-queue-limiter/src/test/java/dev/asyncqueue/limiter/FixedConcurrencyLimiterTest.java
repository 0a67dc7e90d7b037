package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixedConcurrencyLimiterTest {

    @Test
    void grantsUpToItsLimitAndNoMore() {
        FixedConcurrencyLimiter limiter = FixedConcurrencyLimiter.of(3);
        List<Permit> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) held.add(limiter.tryAcquire().orElseThrow());
        assertTrue(limiter.tryAcquire().isEmpty());
        assertEquals(3, limiter.inFlight());
    }

    @Test
    void aReleasedPermitCanBeGrantedAgain() {
        FixedConcurrencyLimiter limiter = FixedConcurrencyLimiter.of(1);
        limiter.tryAcquire().orElseThrow().release(Outcome.SUCCESS);
        assertTrue(limiter.tryAcquire().isPresent());
    }

    @Test
    void noOutcomeMovesTheLimit() {
        FixedConcurrencyLimiter limiter = FixedConcurrencyLimiter.of(4);
        for (Outcome outcome : Outcome.values()) {
            limiter.tryAcquire().orElseThrow().release(outcome);
            assertEquals(4, limiter.limit(), outcome + " moved a fixed limit");
        }
        assertEquals(0, limiter.inFlight());
    }

    @Test
    void aSecondReleaseThrowsAndFreesNothing() {
        FixedConcurrencyLimiter limiter = FixedConcurrencyLimiter.of("sleep", 2);
        Permit first = limiter.tryAcquire().orElseThrow();
        limiter.tryAcquire().orElseThrow();
        first.release(Outcome.SUCCESS);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> first.release(Outcome.SUCCESS));
        assertTrue(e.getMessage().contains("sleep"), e.getMessage());
        assertEquals(1, limiter.inFlight());
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> FixedConcurrencyLimiter.of(0));
    }
}
