package dev.asyncqueue.examples.ops;

import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;

import java.time.Duration;

/**
 * Settings of the operating features: dead letters, call status, metrics.
 *
 * @param deadLetterEnabled   {@code dead_letter_enabled} (true): keep dead letters in {@code OF_<queue>_DLQ}
 * @param deadLetterMaxAge    {@code dead_letter_max_age} (168h): how long dead letters are kept
 * @param statusEnabled       {@code status_enabled} (true): keep call states, serve status and cancellation
 * @param statusBucket        {@code status_bucket} ({@code async-queue-status}): the key-value bucket
 * @param statusTtl           {@code status_ttl} (24h): how long a call's state is kept after its last change
 * @param metricsPollInterval {@code metrics_poll_interval} (5s): how often queue depth and limits are read
 */
public record OperationsConfig(boolean deadLetterEnabled, Duration deadLetterMaxAge, boolean statusEnabled,
                               String statusBucket, Duration statusTtl, Duration metricsPollInterval) {

    /** Reads and validates the settings. */
    public static OperationsConfig from(Settings s) {
        Duration maxAge = s.duration("dead_letter_max_age", Duration.ofDays(7));
        if (maxAge.isNegative()) throw new ConfigurationException("dead_letter_max_age", "must not be negative");
        String bucket = s.string("status_bucket", "async-queue-status");
        if (!bucket.matches("[-a-zA-Z0-9_]+")) {
            throw new ConfigurationException("status_bucket", "use letters, digits, '-' and '_', got '" + bucket + "'");
        }
        return new OperationsConfig(
                s.bool("dead_letter_enabled", true),
                maxAge,
                s.bool("status_enabled", true),
                bucket,
                positive(s, "status_ttl", Duration.ofHours(24)),
                positive(s, "metrics_poll_interval", Duration.ofSeconds(5)));
    }

    private static Duration positive(Settings s, String name, Duration defaultValue) {
        Duration d = s.duration(name, defaultValue);
        if (d.isZero() || d.isNegative()) throw new ConfigurationException(name, "must be positive, got " + d);
        return d;
    }
}
