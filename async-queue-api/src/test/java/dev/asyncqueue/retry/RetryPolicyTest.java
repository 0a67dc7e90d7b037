package dev.asyncqueue.retry;

import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final DoubleSupplier HALF = () -> 0.5;
    private static final Duration S10 = Duration.ofSeconds(10);
    private static final Duration S120 = Duration.ofSeconds(120);

    private static InvocationResult status(int status) {
        return InvocationResult.answered(status, Map.of(), new byte[0], Duration.ofMillis(5));
    }

    private static InvocationResult status(int status, String retryAfterHeader, String retryAfter) {
        return InvocationResult.answered(status, Map.of(retryAfterHeader, List.of(retryAfter)), new byte[0],
                Duration.ofMillis(5));
    }

    private static RetryPolicy exponential(int attempts) {
        return new RetryPolicy(attempts, RetryPolicy.DEFAULT_RETRY_CODES, S10, S120, Backoff.EXPONENTIAL);
    }

    @Test
    void defaultsMatchTheOpenFaasQueueWorker() {
        RetryPolicy d = RetryPolicy.defaults();
        assertEquals(10, d.maxAttempts());
        assertEquals(Set.of(408, 429, 500, 502, 503, 504), d.retryCodes());
        assertEquals(S10, d.initialWait());
        assertEquals(S120, d.maxWait());
        assertEquals(Backoff.EXPONENTIAL, d.backoff());
        assertEquals(d, WorkerSettings.retryPolicy(Settings.empty()), "no settings means the defaults");
    }

    @Test
    void theSettingsReaderReadsEveryRetryVariable() {
        RetryPolicy p = WorkerSettings.retryPolicy(Settings.of(Map.of(
                "max_retry_attempts", "4",
                "retry_http_codes", "429,503",
                "initial_retry_wait", "500ms",
                "max_retry_wait", "1m",
                "backoff", "equal")));
        assertEquals(new RetryPolicy(4, Set.of(429, 503), Duration.ofMillis(500), Duration.ofMinutes(1), Backoff.EQUAL), p);
    }

    @Test
    void aBadAttemptCountSettingNamesTheVariable() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> WorkerSettings.retryPolicy(Settings.of(Map.of("max_retry_attempts", "abc"))));
        assertEquals("max_retry_attempts", e.variable());
        assertTrue(e.getMessage().contains("max_retry_attempts") && e.getMessage().contains("abc"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "max_retry_attempts, 0",
            "retry_http_codes, 429;abc",
            "initial_retry_wait, soon",
            "max_retry_wait, 10q",
            "backoff, linear",
    })
    void anyBadRetrySettingNamesTheVariable(String variable, String value) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> WorkerSettings.retryPolicy(Settings.of(Map.of(variable, value.replace(';', ',')))));
        assertEquals(variable, e.variable());
    }

    @Test
    void aMaximumWaitBelowTheInitialWaitIsAConfigurationError() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> WorkerSettings.retryPolicy(
                Settings.of(Map.of("initial_retry_wait", "30s", "max_retry_wait", "10s"))));
        assertEquals("max_retry_wait", e.variable());
    }

    @Test
    void exponentialWaitDoublesFromTheInitialWaitAndIsCappedAtTheMaximum() {
        RetryPolicy p = exponential(100);
        long[] expectedSeconds = {10, 20, 40, 80, 120, 120, 120};
        for (int retry = 1; retry <= expectedSeconds.length; retry++) {
            assertEquals(Duration.ofSeconds(expectedSeconds[retry - 1]), p.delayBeforeRetry(retry, HALF), "retry " + retry);
        }
        for (int retry : new int[]{30, 63, 64, 65, 1000, Integer.MAX_VALUE}) {
            assertEquals(S120, p.delayBeforeRetry(retry, HALF), "no overflow at retry " + retry);
        }
    }

    @Test
    void fullJitterIsBetweenZeroAndTheExponentialWait() {
        RetryPolicy p = new RetryPolicy(100, RetryPolicy.DEFAULT_RETRY_CODES, S10, S120, Backoff.FULL);
        RetryPolicy exp = exponential(100);
        Random random = new Random(42);
        for (int retry = 1; retry <= 8; retry++) {
            Duration ceiling = exp.delayBeforeRetry(retry, HALF);
            for (int i = 0; i < 500; i++) {
                Duration d = p.delayBeforeRetry(retry, random::nextDouble);
                assertFalse(d.isNegative(), d::toString);
                assertTrue(d.compareTo(ceiling) <= 0, () -> d + " > " + ceiling);
            }
            assertEquals(Duration.ZERO, p.delayBeforeRetry(retry, () -> 0.0));
            assertEquals(ceiling.dividedBy(2), p.delayBeforeRetry(retry, HALF));
        }
    }

    @Test
    void equalJitterIsBetweenHalfAndAllOfTheExponentialWait() {
        RetryPolicy p = new RetryPolicy(100, RetryPolicy.DEFAULT_RETRY_CODES, S10, S120, Backoff.EQUAL);
        RetryPolicy exp = exponential(100);
        Random random = new Random(7);
        for (int retry = 1; retry <= 8; retry++) {
            Duration ceiling = exp.delayBeforeRetry(retry, HALF);
            Duration floor = ceiling.dividedBy(2);
            for (int i = 0; i < 500; i++) {
                Duration d = p.delayBeforeRetry(retry, random::nextDouble);
                assertTrue(d.compareTo(floor) >= 0 && d.compareTo(ceiling) <= 0, () -> d + " outside " + floor + ".." + ceiling);
            }
            assertEquals(floor, p.delayBeforeRetry(retry, () -> 0.0));
        }
    }

    @Test
    void theDecisionUsesTheBackoffOfTheNextRetry() {
        RetryPolicy p = exponential(10);
        assertEquals(S10, p.decide(status(500), 0, HALF, CLOCK).delay());
        assertEquals(Duration.ofSeconds(40), p.decide(status(502), 2, HALF, CLOCK).delay());
    }

    @ParameterizedTest(name = "Retry-After on {0}")
    @ValueSource(ints = {429, 503})
    void retryAfterInSecondsIsHonouredOn429And503(int code) {
        RetryDecision d = exponential(10).decide(status(code, "Retry-After", "30"), 0, HALF, CLOCK);
        assertTrue(d.retry());
        assertEquals(Duration.ofSeconds(30), d.delay());
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() {
        RetryDecision d = exponential(10).decide(status(429, "Retry-After", "Mon, 01 Jan 2024 00:01:30 GMT"), 0, HALF, CLOCK);
        assertEquals(Duration.ofSeconds(90), d.delay());
    }

    @Test
    void retryAfterHeaderNameIsCaseInsensitive() {
        assertEquals(Duration.ofSeconds(45), exponential(10).decide(status(503, "retry-after", "45"), 0, HALF, CLOCK).delay());
    }

    @Test
    void retryAfterIsNeverBelowTheInitialWait() {
        RetryPolicy p = exponential(10);
        assertEquals(S10, p.decide(status(429, "Retry-After", "1"), 0, HALF, CLOCK).delay());
        assertEquals(S10, p.decide(status(429, "Retry-After", "0"), 0, HALF, CLOCK).delay());
        assertEquals(S10, p.decide(status(503, "Retry-After", "Sun, 31 Dec 2023 23:00:00 GMT"), 0, HALF, CLOCK).delay(),
                "a date in the past");
    }

    @Test
    void retryAfterIsIgnoredOnOtherStatusesAndWhenUnreadable() {
        RetryPolicy p = exponential(10);
        assertEquals(Duration.ofSeconds(20), p.decide(status(500, "Retry-After", "90"), 1, HALF, CLOCK).delay());
        assertEquals(Duration.ofSeconds(20), p.decide(status(429, "Retry-After", "tomorrow"), 1, HALF, CLOCK).delay());
    }

    @Test
    void aSuccessIsFinal() {
        RetryDecision d = exponential(10).decide(status(200), 0, HALF, CLOCK);
        assertFalse(d.retry());
        assertEquals(Duration.ZERO, d.delay());
    }

    @Test
    void aNonRetryableStatusIsFinalAtOnce() {
        RetryDecision d = exponential(10).decide(status(400), 0, HALF, CLOCK);
        assertFalse(d.retry());
        assertTrue(d.reason().contains("400"), d.reason());
        assertFalse(exponential(10).decide(status(404), 3, HALF, CLOCK).retry());
    }

    @Test
    void givesUpAfterMaxAttempts() {
        RetryPolicy p = exponential(3);
        assertTrue(p.decide(status(500), 0, HALF, CLOCK).retry(), "after attempt 1");
        assertTrue(p.decide(status(500), 1, HALF, CLOCK).retry(), "after attempt 2");
        RetryDecision last = p.decide(status(500), 2, HALF, CLOCK);
        assertFalse(last.retry(), "after attempt 3");
        assertTrue(last.reason().contains("gave up after 3 attempts"), last.reason());
        assertFalse(exponential(1).decide(status(500), 0, HALF, CLOCK).retry(), "one attempt means no retry");
    }

    @Test
    void aTransportFailureIsRetryableEvenWhen503IsNotAmongTheCodes() {
        RetryPolicy only429 = new RetryPolicy(5, Set.of(429), S10, S120, Backoff.EXPONENTIAL);
        InvocationResult refused = InvocationResult.transportFailure("connection refused", Duration.ofMillis(1));
        assertTrue(only429.isRetryable(refused));
        assertTrue(only429.decide(refused, 0, HALF, CLOCK).retry());
        assertFalse(only429.isRetryable(status(503)), "an answered 503 follows the codes");
    }

    @Test
    void annotationsOverrideAttemptsCodesAndWaits() {
        RetryPolicy p = WorkerSettings.retryPolicyFor(RetryPolicy.defaults(), Map.of(
                WorkerSettings.RETRY_ATTEMPTS_ANNOTATION, "3",
                WorkerSettings.RETRY_CODES_ANNOTATION, "418, 429",
                WorkerSettings.RETRY_MIN_WAIT_ANNOTATION, "1s",
                WorkerSettings.RETRY_MAX_WAIT_ANNOTATION, "5s"));
        assertEquals(new RetryPolicy(3, Set.of(418, 429), Duration.ofSeconds(1), Duration.ofSeconds(5), Backoff.EXPONENTIAL), p);
        assertTrue(p.decide(status(418), 0, HALF, CLOCK).retry());
        assertFalse(p.decide(status(500), 0, HALF, CLOCK).retry(), "500 is no longer among the codes");
    }

    @Test
    void annotationsUseTheOpenFaasNames() {
        assertEquals("com.openfaas.retry.attempts", WorkerSettings.RETRY_ATTEMPTS_ANNOTATION);
        assertEquals("com.openfaas.retry.codes", WorkerSettings.RETRY_CODES_ANNOTATION);
        assertEquals("com.openfaas.retry.min_wait", WorkerSettings.RETRY_MIN_WAIT_ANNOTATION);
        assertEquals("com.openfaas.retry.max_wait", WorkerSettings.RETRY_MAX_WAIT_ANNOTATION);
    }

    @Test
    void invalidAnnotationsFallBackToTheDefaults() {
        RetryPolicy defaults = RetryPolicy.defaults();
        assertEquals(defaults, WorkerSettings.retryPolicyFor(defaults, Map.of(
                WorkerSettings.RETRY_ATTEMPTS_ANNOTATION, "abc",
                WorkerSettings.RETRY_CODES_ANNOTATION, "4xx",
                WorkerSettings.RETRY_MIN_WAIT_ANNOTATION, "soon",
                WorkerSettings.RETRY_MAX_WAIT_ANNOTATION, "-1")));
        assertEquals(defaults, WorkerSettings.retryPolicyFor(defaults, Map.of(WorkerSettings.RETRY_ATTEMPTS_ANNOTATION, "0")));
        assertEquals(defaults, WorkerSettings.retryPolicyFor(defaults, Map.of(WorkerSettings.RETRY_CODES_ANNOTATION, "999")));
    }

    @Test
    void oneInvalidAnnotationDoesNotDiscardTheValidOnes() {
        RetryPolicy p = WorkerSettings.retryPolicyFor(RetryPolicy.defaults(), Map.of(
                WorkerSettings.RETRY_ATTEMPTS_ANNOTATION, "2",
                WorkerSettings.RETRY_CODES_ANNOTATION, "nope"));
        assertEquals(2, p.maxAttempts());
        assertEquals(RetryPolicy.DEFAULT_RETRY_CODES, p.retryCodes());
    }

    @Test
    void waitAnnotationsThatContradictEachOtherFallBackToTheDefaults() {
        RetryPolicy p = WorkerSettings.retryPolicyFor(RetryPolicy.defaults(), Map.of(
                WorkerSettings.RETRY_MIN_WAIT_ANNOTATION, "5m",
                WorkerSettings.RETRY_MAX_WAIT_ANNOTATION, "1m"));
        assertEquals(S10, p.initialWait());
        assertEquals(S120, p.maxWait());
    }

    @Test
    void noAnnotationsMeansThePolicyItself() {
        RetryPolicy p = exponential(4);
        assertSame(p, WorkerSettings.retryPolicyFor(p, Map.of()));
        assertEquals(p, WorkerSettings.retryPolicyFor(p, Map.of("com.openfaas.scale.max", "5")));
    }

    @Test
    void anImpossiblePolicyIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(0, Set.of(), S10, S120, Backoff.EXPONENTIAL));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(3, Set.of(), S120, S10, Backoff.EXPONENTIAL));
    }

    @Test
    void backoffNamesParseCaseInsensitively() {
        assertEquals(Backoff.FULL, Backoff.parse(" Full "));
        assertEquals(Backoff.EQUAL, Backoff.parse("equal"));
        assertEquals(Backoff.EXPONENTIAL, Backoff.parse("EXPONENTIAL"));
    }
}
