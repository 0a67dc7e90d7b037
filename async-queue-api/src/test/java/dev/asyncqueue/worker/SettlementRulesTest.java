package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettlementRulesTest {
    private static final Duration REJECTION_DELAY = Duration.ofMillis(500);
    private static final RetryPolicy THREE_ATTEMPTS = new RetryPolicy(3, RetryPolicy.DEFAULT_RETRY_CODES,
            Duration.ofSeconds(1), Duration.ofSeconds(4), Backoff.EXPONENTIAL);
    private static final Invocation CALL = Invocation.builder("fn").callId("c-1").build();

    private final FreeReturns freeReturns = new InMemoryFreeReturns(100);

    private SettlementRules rules(boolean rejectionsWaitInQueue, int maxFreeReturns) {
        return new SettlementRules(THREE_ATTEMPTS, rejectionsWaitInQueue, REJECTION_DELAY, maxFreeReturns, freeReturns,
                () -> 0.5, Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private static InvocationResult status(int status) {
        return InvocationResult.answered(status, Map.of(), new byte[0], Duration.ofMillis(3));
    }

    @Test
    void aSuccessIsAckedWithTheRetriesMadeAndAllowed() {
        Settlement s = rules(false, 0).afterResult(CALL, 2, status(200));
        assertEquals(Settlement.Kind.ACK, s.kind());
        assertTrue(s.isFinal());
        assertEquals(1, s.retries());
        assertEquals(2, s.maxRetries());
    }

    @Test
    void aRetryableStatusIsRetriedAfterThePolicysDelayUntilTheBudgetRunsOutThenDeadLettered() {
        SettlementRules rules = rules(false, 0);
        Settlement first = rules.afterResult(CALL, 1, status(503));
        assertEquals(Settlement.Kind.RETRY, first.kind());
        assertEquals(Duration.ofSeconds(1), first.delay());
        assertFalse(first.isFinal());
        assertEquals(Duration.ofSeconds(2), rules.afterResult(CALL, 2, status(503)).delay());
        Settlement last = rules.afterResult(CALL, 3, status(503));
        assertEquals(Settlement.Kind.DEAD_LETTER, last.kind());
        assertEquals(2, last.retries());
        assertEquals(last.maxRetries(), last.retries(), "X-Retry equals X-Retry-Max: no more tries");
    }

    @Test
    void aStatusThatIsNotRetriedIsTheFunctionsAnswerAndAcked() {
        Settlement s = rules(false, 0).afterResult(CALL, 1, status(404));
        assertEquals(Settlement.Kind.ACK, s.kind());
        assertEquals(0, s.retries());
    }

    @Test
    void a429WhileRejectionsWaitInTheQueueGoesBackForFreeUntilTheFreeReturnsRunOut() {
        SettlementRules rules = rules(true, 2);
        Settlement free = rules.afterResult(CALL, 1, status(429));
        assertEquals(Settlement.Kind.RETURN, free.kind());
        assertEquals(REJECTION_DELAY, free.delay());
        freeReturns.record(CALL.callId());
        assertEquals(Settlement.Kind.RETURN, rules.afterResult(CALL, 2, status(429)).kind());
        freeReturns.record(CALL.callId());
        Settlement counted = rules.afterResult(CALL, 3, status(429));
        assertEquals(Settlement.Kind.RETRY, counted.kind(), "after two free returns a 429 uses up a retry");
        assertEquals(0, counted.retries(), "the two free returns were not retries");
    }

    @Test
    void withoutRejectionsWaitingA429IsAnOrdinaryRetryableStatus() {
        assertEquals(Settlement.Kind.RETRY, rules(false, 100).afterResult(CALL, 1, status(429)).kind());
    }

    @Test
    void theFunctionsRetryAnnotationsApply() {
        Invocation once = Invocation.builder("fn").callId("c-2")
                .annotations(Map.of(WorkerSettings.RETRY_ATTEMPTS_ANNOTATION, "1")).build();
        Settlement s = rules(false, 0).afterResult(once, 1, status(503));
        assertEquals(Settlement.Kind.DEAD_LETTER, s.kind());
        assertEquals(0, s.maxRetries());
    }

    @Test
    void retryAnnotationsAreReadFromEachMessageSoOnesRemovedFromTheFunctionStopApplying() {
        SettlementRules rules = rules(false, 0);
        Invocation annotated = Invocation.builder("fn").callId("c-3")
                .annotations(Map.of(WorkerSettings.RETRY_ATTEMPTS_ANNOTATION, "1")).build();
        assertEquals(0, rules.afterResult(annotated, 1, status(503)).maxRetries());
        Invocation removed = Invocation.builder("fn").callId("c-4").build();
        assertEquals(2, rules.afterResult(removed, 1, status(503)).maxRetries(), "the worker's own policy again");
    }

    @Test
    void aCancelledCallIsAckedWithItsRetriesCountedWithoutFreeReturns() {
        freeReturns.record(CALL.callId());
        Settlement s = rules(true, 10).cancelled(CALL, 3);
        assertEquals(Settlement.Kind.ACK, s.kind());
        assertEquals(1, s.retries());
        assertEquals(2, s.maxRetries());
        assertEquals(1, freeReturns.count(CALL.callId()), "deciding reads, never changes, the free returns");
    }
}
