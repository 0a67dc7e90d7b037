package dev.asyncqueue.examples.thirdparty;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.limiter.LimiterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AimdLimiterProviderTest {

    @Test
    void aThirdPartyLimiterReplacesOursByConfigurationAlone() {
        LimiterRegistry registry = LimiterRegistry.fromSettings(
                Settings.of(Map.of("limiter_provider", "aimd", "aimd_initial", "4")), Ticker.system());

        ConcurrencyLimiter limiter = registry.limiterFor("fn", Map.of());
        assertEquals("aimd", registry.providerName());
        assertEquals(4, limiter.limit());
        Permit[] permits = new Permit[4];
        for (int i = 0; i < 4; i++) permits[i] = limiter.tryAcquire().orElseThrow();
        assertTrue(limiter.tryAcquire().isEmpty(), "the fifth call waits");
        permits[0].release(Outcome.REJECTED);
        assertEquals(3, limiter.limit(), "multiplicative decrease on a 429");
        for (int i = 1; i < 4; i++) permits[i].release(Outcome.IGNORED);
        assertEquals(0, limiter.inFlight());
    }
}
