package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.spi.ConcurrencyLimiterProvider;
import dev.asyncqueue.spi.LimiterContext;
import dev.asyncqueue.spi.Providers;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three providers are found by {@link java.util.ServiceLoader} under their names. */
class LimiterProvidersTest {

    private static ConcurrencyLimiter create(String provider, Map<String, String> settings) {
        return Providers.limiter(provider)
                .create(new LimiterContext("sleep", Map.of(), Settings.of(settings), new FakeTicker()));
    }

    @Test
    void allThreeAreOnTheClassPath() {
        assertTrue(Providers.available(ConcurrencyLimiterProvider.class, ConcurrencyLimiterProvider::name)
                .containsAll(List.of("adaptive", "fixed", "none")));
    }

    @Test
    void adaptiveMakesAnAdaptiveLimiterTunedBySettings() {
        assertInstanceOf(AdaptiveLimiterProvider.class, Providers.limiter("adaptive"));
        ConcurrencyLimiter limiter = create("adaptive", Map.of("limiter_initial", "4"));
        assertInstanceOf(AdaptiveConcurrencyLimiter.class, limiter);
        assertEquals(4, limiter.limit());
        assertTrue(limiter.toString().contains("sleep"), limiter.toString());
    }

    @Test
    void fixedCapsEveryFunctionAtLimiterMaxInflight() {
        assertInstanceOf(FixedLimiterProvider.class, Providers.limiter("fixed"));
        assertEquals(10, create("fixed", Map.of()).limit());
        assertEquals(3, create("fixed", Map.of("limiter_max_inflight", "3")).limit());
    }

    @Test
    void fixedNamesABadLimiterMaxInflight() {
        for (String bad : new String[] {"0", "-1", "many"}) {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> create("fixed", Map.of("limiter_max_inflight", bad)));
            assertEquals("limiter_max_inflight", e.variable());
        }
    }

    @Test
    void noneNeverSaysNo() {
        assertInstanceOf(UnlimitedLimiterProvider.class, Providers.limiter("none"));
        ConcurrencyLimiter limiter = create("none", Map.of());
        for (int i = 0; i < 10_000; i++) limiter.tryAcquire().orElseThrow();
        assertEquals(Integer.MAX_VALUE, limiter.limit());
        assertEquals(10_000, limiter.inFlight());
    }
}
