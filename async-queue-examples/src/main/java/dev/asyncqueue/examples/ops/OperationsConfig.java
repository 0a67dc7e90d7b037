package dev.asyncqueue.examples.ops;

import java.time.Duration;

/**
 * Settings of the operating features: dead letters, call status, metrics. {@code AppConfig} reads and
 * validates them with the rest of the app's settings.
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
}
