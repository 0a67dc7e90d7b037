package dev.asyncqueue.examples.ops;

import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.examples.AppConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operating settings: documented defaults, and a bad value stops start-up naming its variable. */
class OperationsConfigTest {

    @Test
    void defaultsKeepDeadLettersAWeekAndStatesADayInTheDefaultBucket() {
        OperationsConfig c = AppConfig.from(Settings.empty()).operations();

        assertEquals(new OperationsConfig(true, Duration.ofDays(7), true, "async-queue-status", Duration.ofHours(24),
                Duration.ofSeconds(5)), c);
    }

    @Test
    void aBadValueIsRefusedAtStartUpNamingTheVariable() {
        for (Map.Entry<String, String> bad : Map.of("dead_letter_enabled", "maybe", "status_ttl", "0s",
                "status_bucket", "no.dots", "dead_letter_max_age", "-1h", "metrics_poll_interval", "soon").entrySet()) {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> AppConfig.from(Settings.of(Map.of(bad.getKey(), bad.getValue()))));
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }
}
