package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LimiterRegistryTest {

    private static final Map<String, String> NO_ANNOTATIONS = Map.of();

    private final FakeTicker ticker = new FakeTicker();
    private final LimiterRegistry registry = LimiterRegistry.builder()
            .provider(new AdaptiveLimiterProvider())
            .ticker(ticker)
            .idleTimeout(Duration.ofMinutes(5))
            .build();

    private static Map<String, String> maxInflight(String value) {
        return Map.of(LimiterRegistry.MAX_INFLIGHT_ANNOTATION, value);
    }

    /** Grows a function's adaptive limit past its start by a few round trips without 429s. */
    private void grow(String function) {
        for (int round = 0; round < 3; round++) {
            List<Permit> held = new ArrayList<>();
            for (var p = registry.tryAcquire(function, NO_ANNOTATIONS); p.isPresent(); p = registry.tryAcquire(function, NO_ANNOTATIONS)) {
                held.add(p.get());
            }
            held.forEach(p -> p.release(Outcome.SUCCESS));
        }
    }

    @Test
    void eachFunctionHasItsOwnLimiter() {
        grow("a");
        assertTrue(registry.limiterFor("a", NO_ANNOTATIONS).limit() > 2);
        assertEquals(2, registry.limiterFor("b", NO_ANNOTATIONS).limit());
        assertEquals(Set.of("a", "b"), registry.functions());
    }

    @Test
    void isTheWorkersLimiterLookup() {
        LimiterLookup lookup = registry;
        ConcurrencyLimiter limiter = lookup.limiterFor("a", NO_ANNOTATIONS);
        limiter.tryAcquire().orElseThrow();
        assertEquals(1, registry.limiterFor("a", NO_ANNOTATIONS).inFlight());
    }

    @Test
    void dropsTheLimiterOfAFunctionIdleForTheTimeout() {
        grow("a");
        ticker.advance(Duration.ofMinutes(5).minusNanos(1));
        assertEquals(List.of(), registry.evictIdle());
        ticker.advance(Duration.ofNanos(1));
        assertEquals(List.of("a"), registry.evictIdle());
        assertEquals(Set.of(), registry.functions());
    }

    @Test
    void anEvictedFunctionStartsOverWithAFreshLimiter() {
        grow("a");
        ticker.advance(Duration.ofMinutes(10));
        registry.evictIdle();
        assertEquals(2, registry.limiterFor("a", NO_ANNOTATIONS).limit());
    }

    @Test
    void neverDropsAFunctionWithCallsInFlight() {
        Permit running = registry.tryAcquire("a", NO_ANNOTATIONS).orElseThrow();
        ticker.advance(Duration.ofHours(1));
        assertEquals(List.of(), registry.evictIdle());
        running.release(Outcome.SUCCESS);
        assertEquals(List.of(), registry.evictIdle(), "the end of a long call is activity too");
        ticker.advance(Duration.ofMinutes(5));
        assertEquals(List.of("a"), registry.evictIdle());
    }

    @Test
    void aHandleKeepsWorkingAfterItsFunctionWasDropped() {
        ConcurrencyLimiter handle = registry.limiterFor("a", NO_ANNOTATIONS);
        handle.tryAcquire().orElseThrow().release(Outcome.SUCCESS);
        ticker.advance(Duration.ofMinutes(6));
        assertEquals(List.of("a"), registry.evictIdle());
        assertEquals(0, handle.inFlight());
        Permit permit = handle.tryAcquire().orElseThrow();
        assertEquals(Set.of("a"), registry.functions());
        assertEquals(1, handle.inFlight());
        permit.release(Outcome.SUCCESS);
    }

    @Test
    void theMaxInflightAnnotationFixesTheFunctionsLimit() {
        for (int i = 0; i < 3; i++) registry.tryAcquire("a", maxInflight("3")).orElseThrow();
        assertTrue(registry.tryAcquire("a", maxInflight("3")).isEmpty());
        ConcurrencyLimiter limiter = registry.limiterFor("a", maxInflight("3"));
        assertEquals(3, limiter.limit());
        assertEquals(2, registry.limiterFor("b", NO_ANNOTATIONS).limit(), "other functions keep the provider's limiter");
    }

    @Test
    void aFixedLimitFromTheAnnotationIgnoresWhatTheFunctionAnswers() {
        Map<String, String> annotations = maxInflight(" 4 ");
        for (int i = 0; i < 20; i++) {
            registry.tryAcquire("a", annotations).orElseThrow().release(i % 2 == 0 ? Outcome.REJECTED : Outcome.SUCCESS);
        }
        assertEquals(4, registry.limiterFor("a", annotations).limit());
    }

    @Test
    void anUnusableMaxInflightAnnotationIsIgnored() {
        for (String bad : List.of("0", "-3", "ten", "", "2.5", "99999999999")) {
            ConcurrencyLimiter limiter = registry.limiterFor("f" + bad, maxInflight(bad));
            assertEquals(2, limiter.limit(), "'" + bad + "' should leave the adaptive limiter in charge");
        }
    }

    @Test
    void anUnusableMaxInflightAnnotationIsNamedInOneWarning() {
        // slf4j-simple, the tests' binding, writes to whatever System.err is at the time.
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 3; i++) {
                registry.tryAcquire("sleep", maxInflight("ten")).orElseThrow().release(Outcome.SUCCESS);
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("WARN") && log.contains("sleep") && log.contains(LimiterRegistry.MAX_INFLIGHT_ANNOTATION)
                && log.contains("'ten'"), log);
        assertEquals(1, log.split("ignoring annotation", -1).length - 1, "warned more than once: " + log);
    }

    @Test
    void aChangedAnnotationReplacesTheLimiterAndRunningCallsFinishUnderTheOldOne() {
        Permit old = registry.tryAcquire("a", maxInflight("1")).orElseThrow();
        assertTrue(registry.tryAcquire("a", maxInflight("1")).isEmpty());
        Permit fresh = registry.tryAcquire("a", maxInflight("5")).orElseThrow();
        assertEquals(5, registry.limiterFor("a", maxInflight("5")).limit());
        assertEquals(1, registry.limiterFor("a", maxInflight("5")).inFlight(), "counts only the new limiter's call");
        old.release(Outcome.SUCCESS);
        assertEquals(1, registry.limiterFor("a", maxInflight("5")).inFlight());
        fresh.release(Outcome.SUCCESS);
    }

    @Test
    void readingThroughAHandleWithOtherAnnotationsChangesNothing() {
        registry.tryAcquire("a", maxInflight("3")).orElseThrow();
        ConcurrencyLimiter plain = registry.limiterFor("a", NO_ANNOTATIONS);
        assertEquals(3, plain.limit());
        assertEquals(1, plain.inFlight());
        assertEquals(3, registry.limiterFor("a", maxInflight("3")).limit());
    }

    @Test
    void acquiringWithoutAnnotationsKeepsTheOnesLastSeen() {
        registry.tryAcquire("a", maxInflight("1")).orElseThrow();
        assertTrue(registry.tryAcquire("a").isEmpty());
    }

    @Test
    void settingsChooseTheProvider() {
        assertEquals("adaptive", LimiterRegistry.fromSettings(Settings.empty(), ticker).providerName());
        assertEquals("none", LimiterRegistry.fromSettings(Settings.of(Map.of("limiter_enabled", "false")), ticker).providerName());
        LimiterRegistry fixed = LimiterRegistry.fromSettings(
                Settings.of(Map.of("limiter_provider", "fixed", "limiter_max_inflight", "4", "limiter_idle_timeout", "90s")), ticker);
        assertEquals(4, fixed.limiterFor("a", NO_ANNOTATIONS).limit());
        assertEquals(Duration.ofSeconds(90), fixed.idleTimeout());
        assertEquals(Integer.MAX_VALUE, LimiterRegistry.fromSettings(
                Settings.of(Map.of("limiter_provider", "none")), ticker).limiterFor("a", NO_ANNOTATIONS).limit());
    }

    @Test
    void anUnknownProviderIsNamedWithTheOnesFound() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> LimiterRegistry.fromSettings(Settings.of(Map.of("limiter_provider", "gradient")), ticker));
        assertEquals("limiter_provider", e.variable());
        assertTrue(e.getMessage().contains("adaptive") && e.getMessage().contains("fixed") && e.getMessage().contains("none"),
                e.getMessage());
    }

    @Test
    void settingsTheProviderCannotUseFailWhenTheRegistryIsBuilt() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> LimiterRegistry.fromSettings(
                Settings.of(Map.of("limiter_provider", "fixed", "limiter_max_inflight", "none")), ticker));
        assertEquals("limiter_max_inflight", e.variable());
        e = assertThrows(ConfigurationException.class, () -> LimiterRegistry.fromSettings(
                Settings.of(Map.of("limiter_idle_timeout", "0s")), ticker));
        assertEquals("limiter_idle_timeout", e.variable());
        e = assertThrows(ConfigurationException.class, () -> LimiterRegistry.fromSettings(
                Settings.of(Map.of("limiter_max", "0")), ticker));
        assertEquals("limiter_max", e.variable());
    }

    @Test
    void theRegistryNeedsAProvider() {
        assertThrows(NullPointerException.class, () -> LimiterRegistry.builder().build());
        assertInstanceOf(LimiterLookup.class, registry);
    }
}
